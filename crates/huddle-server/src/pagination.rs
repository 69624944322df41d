//! Cursor pagination: `?cursor=…&limit=…` in, `next_cursor` out. A cursor is opaque to clients.

use crate::error::ApiError;
use base64::Engine;
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
    /// Page size.
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor(pub i64);

impl Cursor {
    pub fn encode(self) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("id:{}", self.0))
    }

    pub fn decode(s: &str) -> Option<Self> {
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(s)
            .ok()?;
        let text = String::from_utf8(raw).ok()?;
        text.strip_prefix("id:")?.parse().ok().map(Cursor)
    }
}

impl PageQuery {
    pub fn limit(&self, default: usize, max: usize) -> Result<usize, ApiError> {
        match self.limit {
            None => Ok(default),
            Some(0) => Err(ApiError::invalid("limit", "limit must be at least 1.")),
            Some(n) if n as usize > max => Err(ApiError::invalid(
                "limit",
                format!("limit must be at most {max}."),
            )),
            Some(n) => Ok(n as usize),
        }
    }

    pub fn cursor(&self) -> Result<Option<Cursor>, ApiError> {
        match self.cursor.as_deref() {
            None | Some("") => Ok(None),
            Some(s) => Cursor::decode(s).map(Some).ok_or_else(|| {
                ApiError::invalid(
                    "cursor",
                    "The cursor is not valid; start from the first page.",
                )
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trip_and_garbage() {
        assert_eq!(Cursor::decode(&Cursor(42).encode()), Some(Cursor(42)));
        assert_eq!(Cursor::decode("nonsense!"), None);
        let q = PageQuery {
            cursor: None,
            limit: Some(0),
        };
        assert!(q.limit(10, 100).is_err());
    }
}
