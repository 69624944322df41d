//! Colleague search: name, full pinyin, pinyin initials, employee ID, phone, email and department
//! names, all lowercased into one contiguous haystack that a SIMD substring search scans at
//! memory speed. A member's keys are computed once, when the directory snapshot is built.

use memchr::memmem;
use pinyin::ToPinyinMulti;

/// Full pinyin and initials of a name: 张三 → ("zhangsan", "zs"). Non-Chinese characters are
/// kept (lowercased) in both keys so mixed names such as "Anna李" still match.
pub fn pinyin_keys(name: &str) -> (String, String) {
    pinyin_variants(name, 1).swap_remove(0)
}

/// Readings of a name including polyphonic characters (会计 → kuaiji as well as huiji), the
/// common reading first, at most `max` combinations.
pub fn pinyin_variants(name: &str, max: usize) -> Vec<(String, String)> {
    let mut out = vec![(String::new(), String::new())];
    for (ch, multi) in name.chars().zip(name.to_pinyin_multi()) {
        let readings: Vec<(&str, &str)> = match multi {
            Some(m) => {
                let mut r: Vec<(&str, &str)> = Vec::new();
                for p in m.into_iter() {
                    let pair = (p.plain(), p.first_letter());
                    if !r.contains(&pair) {
                        r.push(pair);
                    }
                }
                r.truncate(3);
                r
            }
            None if ch.is_alphanumeric() => {
                for (full, initials) in &mut out {
                    for l in ch.to_lowercase() {
                        full.push(l);
                        initials.push(l);
                    }
                }
                continue;
            }
            None => continue,
        };
        let mut next = Vec::new();
        for (full, initials) in &out {
            for (plain, first) in &readings {
                if next.len() < max.max(1) {
                    next.push((format!("{full}{plain}"), format!("{initials}{first}")));
                }
            }
        }
        out = next;
    }
    out
}

/// What one member contributes to the index, in match-priority order.
pub struct SearchFields<'a> {
    pub name: &'a str,
    pub employee_id: &'a str,
    pub phone: Option<&'a str>,
    pub email: Option<&'a str>,
}

const FIELD_SEP: char = '\u{1f}';
const ENTRY_SEP: char = '\u{1e}';

pub struct SearchIndex {
    haystack: String,
    /// Start offset of each entry in `haystack`; entry i ends where entry i+1 starts.
    starts: Vec<u32>,
    /// Lowercased name, pinyin and initials per entry, for ranking.
    keys: Vec<(String, String, String)>,
}

impl SearchIndex {
    pub fn build<'a>(entries: impl Iterator<Item = SearchFields<'a>>) -> Self {
        let mut haystack = String::new();
        let mut starts = Vec::new();
        let mut keys = Vec::new();
        for e in entries {
            starts.push(haystack.len() as u32);
            let name = e.name.to_lowercase();
            let variants = pinyin_variants(e.name, 6);
            haystack.push(ENTRY_SEP);
            for field in [name.as_str(), &e.employee_id.to_lowercase()] {
                haystack.push_str(field);
                haystack.push(FIELD_SEP);
            }
            for (full, initials) in &variants {
                haystack.push_str(full);
                haystack.push(FIELD_SEP);
                haystack.push_str(initials);
                haystack.push(FIELD_SEP);
            }
            let (full, initials) = variants.into_iter().next().unwrap_or_default();
            for field in e.phone.into_iter().chain(e.email) {
                haystack.push_str(&field.to_lowercase());
                haystack.push(FIELD_SEP);
            }
            keys.push((name, full, initials));
        }
        Self {
            haystack,
            starts,
            keys,
        }
    }

    pub fn len(&self) -> usize {
        self.starts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// Normalizes a query: lowercased, separators and spaces removed. Empty means "no query".
    pub fn normalize(query: &str) -> String {
        query
            .chars()
            .filter(|c| !c.is_whitespace() && !c.is_control())
            .flat_map(char::to_lowercase)
            .collect()
    }

    /// Entries matching `query` that `accept` lets through, best first, at most `limit`.
    pub fn search(&self, query: &str, limit: usize, accept: impl Fn(usize) -> bool) -> Vec<usize> {
        let q = Self::normalize(query);
        if q.is_empty() || limit == 0 {
            return Vec::new();
        }
        let finder = memmem::Finder::new(q.as_bytes());
        let bytes = self.haystack.as_bytes();
        let mut hits: Vec<(u8, usize)> = Vec::new();
        let mut pos = 0;
        while let Some(found) = finder.find(&bytes[pos..]) {
            let at = pos + found;
            let entry = match self.starts.binary_search(&(at as u32)) {
                Ok(i) => i,
                Err(i) => i - 1,
            };
            if accept(entry) {
                hits.push((self.rank(entry, &q), entry));
            }
            pos = self
                .starts
                .get(entry + 1)
                .map(|s| *s as usize)
                .unwrap_or(bytes.len());
            if pos >= bytes.len() {
                break;
            }
        }
        hits.sort_by_key(|(rank, entry)| (*rank, *entry));
        hits.into_iter().take(limit).map(|(_, e)| e).collect()
    }

    /// 0 = exact name, 1 = name/pinyin/initials prefix, 2 = other match.
    fn rank(&self, entry: usize, q: &str) -> u8 {
        let (name, full, initials) = &self.keys[entry];
        if name == q || full == q || initials == q {
            0
        } else if name.starts_with(q) || full.starts_with(q) || initials.starts_with(q) {
            1
        } else {
            2
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(names: &[(&str, &str)]) -> SearchIndex {
        SearchIndex::build(names.iter().map(|(n, e)| SearchFields {
            name: n,
            employee_id: e,
            phone: None,
            email: None,
        }))
    }

    #[test]
    fn pinyin_of_chinese_names() {
        assert_eq!(pinyin_keys("张三"), ("zhangsan".into(), "zs".into()));
        assert_eq!(pinyin_keys("Anna李"), ("annali".into(), "annal".into()));
        let v = pinyin_variants("钱会计", 6);
        assert_eq!(v[0].1, "qhj");
        assert!(
            v.iter().any(|(f, i)| f == "qiankuaiji" && i == "qkj"),
            "{v:?}"
        );
    }

    #[test]
    fn finds_by_name_pinyin_initials_and_id() {
        let idx = index(&[("张三", "E001"), ("李四", "E002"), ("张三丰", "E003")]);
        assert_eq!(idx.search("zs", 10, |_| true), vec![0, 2]);
        assert_eq!(idx.search("zhangsan", 10, |_| true), vec![0, 2]);
        assert_eq!(idx.search("李", 10, |_| true), vec![1]);
        assert_eq!(idx.search("e002", 10, |_| true), vec![1]);
    }

    #[test]
    fn exact_matches_rank_first_and_filter_applies() {
        let idx = index(&[("张三丰", "E1"), ("张三", "E2")]);
        assert_eq!(idx.search("张三", 10, |_| true), vec![1, 0]);
        assert_eq!(idx.search("张三", 10, |i| i == 0), vec![0]);
        assert!(idx.search("   ", 10, |_| true).is_empty());
        assert!(idx.search("nobody", 10, |_| true).is_empty());
    }

    #[test]
    fn a_query_never_matches_across_two_entries() {
        let idx = index(&[("ab", "x1"), ("cd", "x2")]);
        assert!(idx.search("x1cd", 10, |_| true).is_empty());
    }
}
