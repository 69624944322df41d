//! Formulas: tokenizer, parser and evaluation.

use super::validate::round_to;
use super::*;

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Expr {
    Num(f64),
    Ref(String),
    Neg(Box<Expr>),
    Bin(char, Box<Expr>, Box<Expr>),
}

impl Expr {
    pub(super) fn refs<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Expr::Num(_) => {}
            Expr::Ref(r) => out.push(r),
            Expr::Neg(e) => e.refs(out),
            Expr::Bin(_, a, b) => {
                a.refs(out);
                b.refs(out);
            }
        }
    }

    /// `None` on division by zero (or a result that is not a finite number).
    fn eval(&self, var: &dyn Fn(&str) -> f64) -> Option<f64> {
        let v = match self {
            Expr::Num(n) => *n,
            Expr::Ref(r) => var(r),
            Expr::Neg(e) => -e.eval(var)?,
            Expr::Bin(op, a, b) => {
                let (a, b) = (a.eval(var)?, b.eval(var)?);
                match op {
                    '+' => a + b,
                    '-' => a - b,
                    '*' => a * b,
                    _ => {
                        if b == 0.0 {
                            return None;
                        }
                        a / b
                    }
                }
            }
        };
        v.is_finite().then_some(v)
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Num(f64),
    Name(String),
    Op(char),
    Open,
    Close,
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.'
}

pub(super) fn is_number_literal(s: &str) -> bool {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && (!s.contains('.') || (!frac.is_empty() && frac.bytes().all(|b| b.is_ascii_digit())))
}

/// Why a formula does not parse: English and Chinese (both without final punctuation).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct FormulaError {
    pub en: String,
    pub zh: String,
}

fn ferr(en: impl Into<String>, zh: impl Into<String>) -> FormulaError {
    FormulaError {
        en: en.into(),
        zh: zh.into(),
    }
}

/// Splits a formula into tokens. Control ids may contain `-`: a run like `a-b` is the control
/// `a-b` when the form has one, else `a` minus `b` (write `a - b` to be explicit).
fn tokenize(src: &str, names: &[String]) -> Result<Vec<Tok>, FormulaError> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '+' | '-' | '*' | '/' => {
                out.push(Tok::Op(c));
                i += 1;
            }
            '×' => {
                out.push(Tok::Op('*'));
                i += 1;
            }
            '÷' => {
                out.push(Tok::Op('/'));
                i += 1;
            }
            '(' | '（' => {
                out.push(Tok::Open);
                i += 1;
            }
            ')' | '）' => {
                out.push(Tok::Close);
                i += 1;
            }
            c if is_name_char(c) && c != '-' => {
                let mut j = i;
                while j < chars.len() && is_name_char(chars[j]) {
                    j += 1;
                }
                let run: String = chars[i..j].iter().collect();
                // Candidates: the whole run, then the run cut before each '-' (longest first).
                let mut cuts: Vec<usize> = run.match_indices('-').map(|(k, _)| k).collect();
                cuts.reverse();
                let mut candidates = vec![run.len()];
                candidates.extend(cuts);
                let mut taken = None;
                for len in &candidates {
                    let cand = &run[..*len];
                    if is_number_literal(cand) || names.iter().any(|n| n == cand) {
                        taken = Some(*len);
                        break;
                    }
                }
                let len = taken.unwrap_or(*candidates.last().unwrap_or(&run.len()));
                let tok = &run[..len];
                if tok.is_empty() {
                    return Err(ferr(
                        format!("unexpected \"{run}\""),
                        format!("无法识别“{run}”"),
                    ));
                }
                if is_number_literal(tok) {
                    out.push(Tok::Num(tok.parse().map_err(|_| {
                        ferr(format!("bad number \"{tok}\""), format!("数字“{tok}”有误"))
                    })?));
                } else if tok.starts_with(|c: char| c.is_ascii_digit())
                    && tok.parse::<f64>().is_ok()
                {
                    return Err(ferr(
                        format!("bad number \"{tok}\""),
                        format!("数字“{tok}”有误"),
                    ));
                } else {
                    out.push(Tok::Name(tok.to_string()));
                }
                i += tok.chars().count();
            }
            other => {
                return Err(ferr(
                    format!("unexpected \"{other}\""),
                    format!("无法识别“{other}”"),
                ))
            }
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn expr(&mut self) -> Result<Expr, FormulaError> {
        let mut left = self.term()?;
        while let Some(Tok::Op(op @ ('+' | '-'))) = self.peek().cloned() {
            self.pos += 1;
            let right = self.term()?;
            left = Expr::Bin(op, Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn term(&mut self) -> Result<Expr, FormulaError> {
        let mut left = self.factor()?;
        while let Some(Tok::Op(op @ ('*' | '/'))) = self.peek().cloned() {
            self.pos += 1;
            let right = self.factor()?;
            left = Expr::Bin(op, Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn factor(&mut self) -> Result<Expr, FormulaError> {
        self.depth += 1;
        if self.depth > FORMULA_MAX_DEPTH {
            return Err(ferr("the formula is nested too deeply", "括号嵌套过深"));
        }
        let tok = self.peek().cloned();
        self.pos += 1;
        let e = match tok {
            Some(Tok::Num(n)) => Expr::Num(n),
            Some(Tok::Name(n)) => Expr::Ref(n),
            Some(Tok::Op('-')) => Expr::Neg(Box::new(self.factor()?)),
            Some(Tok::Op('+')) => self.factor()?,
            Some(Tok::Open) => {
                let e = self.expr()?;
                if self.peek() != Some(&Tok::Close) {
                    return Err(ferr("a parenthesis is not closed", "括号没有闭合"));
                }
                self.pos += 1;
                e
            }
            Some(Tok::Close) => return Err(ferr("unexpected \")\"", "多了一个“)”")),
            Some(Tok::Op(o)) => {
                return Err(ferr(
                    format!("unexpected \"{o}\""),
                    format!("“{o}”的位置不对"),
                ))
            }
            None => return Err(ferr("the formula ends too early", "公式不完整")),
        };
        self.depth -= 1;
        Ok(e)
    }
}

pub(super) fn parse_formula(src: &str, names: &[String]) -> Result<Expr, FormulaError> {
    if src.len() > FORMULA_MAX_LEN {
        return Err(ferr("the formula is too long", "公式过长"));
    }
    let toks = tokenize(src, names)?;
    if toks.is_empty() {
        return Err(ferr("the formula is empty", "公式为空"));
    }
    let mut p = Parser {
        toks,
        pos: 0,
        depth: 0,
    };
    let e = p.expr()?;
    if p.pos != p.toks.len() {
        return Err(ferr(
            "unexpected text after the formula",
            "公式末尾有多余内容",
        ));
    }
    Ok(e)
}

pub(super) fn eval_formula(
    expression: &str,
    decimals: u8,
    names: &[String],
    values: &FormValues,
) -> Option<f64> {
    // The schema was checked when saved; a formula that does not parse counts as 0.
    let Ok(expr) = parse_formula(expression, names) else {
        return Some(0.0);
    };
    let var = |r: &str| -> f64 {
        if let Some((table, column)) = r.split_once('.') {
            return match values.get(table) {
                Some(Value::Table { sums, .. }) => sums.get(column).copied().unwrap_or(0.0),
                _ => 0.0,
            };
        }
        numeric_value(values.get(r)).unwrap_or(0.0)
    };
    let v = expr.eval(&var)?;
    Some(round_to(v, decimals))
}
