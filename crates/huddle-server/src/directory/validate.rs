//! Field rules for directory input. Each returns the message to show when the value is wrong.

pub type Check = Result<(), String>;

fn length(value: &str, what: &str, min: usize, max: usize) -> Check {
    let n = value.trim().chars().count();
    if n < min || n > max {
        return Err(format!("{what} must be {min} to {max} characters."));
    }
    if value.chars().any(char::is_control) {
        return Err(format!("{what} cannot contain control characters."));
    }
    Ok(())
}

pub fn member_name(v: &str) -> Check {
    length(v, "The name", 1, 64)
}

pub fn department_name(v: &str) -> Check {
    length(v, "The department name", 1, 64)?;
    if v.contains('/') || v.contains('\\') {
        return Err("The department name cannot contain / or \\.".into());
    }
    Ok(())
}

/// Employee IDs double as sign-in names: letters, digits and `_ - . @`, no spaces.
pub fn employee_id(v: &str) -> Check {
    length(v, "The employee ID", 1, 64)?;
    if !v
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '@'))
    {
        return Err("The employee ID may contain only letters, digits and _ - . @".into());
    }
    Ok(())
}

pub fn phone(v: &str) -> Check {
    let digits = v.chars().filter(char::is_ascii_digit).count();
    let ok_chars = v
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' '));
    if !ok_chars || !(5..=20).contains(&digits) {
        return Err(
            "The phone number must be 5 to 20 digits (with optional + - and spaces).".into(),
        );
    }
    Ok(())
}

pub fn email(v: &str) -> Check {
    length(v, "The email", 3, 254)?;
    let Some((local, domain)) = v.split_once('@') else {
        return Err("The email must look like name@example.com.".into());
    };
    if local.is_empty() || !domain.contains('.') || domain.starts_with('.') || v.contains(' ') {
        return Err("The email must look like name@example.com.".into());
    }
    Ok(())
}

pub fn position(v: &str) -> Check {
    length(v, "The position", 0, 64)
}

/// `YYYY-MM-DD` with a real calendar date.
pub fn date(v: &str) -> Check {
    let bad = || Err(format!("'{v}' is not a date in the form YYYY-MM-DD."));
    let parts: Vec<&str> = v.split('-').collect();
    if parts.len() != 3 || parts[0].len() != 4 || parts[1].len() != 2 || parts[2].len() != 2 {
        return bad();
    }
    let (Ok(y), Ok(m), Ok(d)) = (
        parts[0].parse::<u32>(),
        parts[1].parse::<u32>(),
        parts[2].parse::<u32>(),
    ) else {
        return bad();
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return bad(),
    };
    if !(1900..=2200).contains(&y) || d == 0 || d > days {
        return bad();
    }
    Ok(())
}

pub fn avatar_url(v: &str) -> Check {
    length(v, "The avatar URL", 1, 1000)?;
    if !(v.starts_with("https://") || v.starts_with("http://") || v.starts_with("/api/")) {
        return Err("The avatar URL must start with https://, http:// or /api/.".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules() {
        assert!(member_name("张三").is_ok());
        assert!(member_name("  ").is_err());
        assert!(employee_id("zhang.san-01").is_ok());
        assert!(employee_id("zhang san").is_err());
        assert!(phone("+86 138-0000-0000").is_ok());
        assert!(phone("12ab").is_err());
        assert!(email("a@b.cn").is_ok());
        assert!(email("ab.cn").is_err());
        assert!(date("2024-02-29").is_ok());
        assert!(date("2023-02-29").is_err());
        assert!(date("2024-13-01").is_err());
        assert!(department_name("技术/部").is_err());
    }
}
