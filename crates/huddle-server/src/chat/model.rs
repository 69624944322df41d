//! Chat types as the API shows them, and the rules for message content.

use crate::error::ApiError;
use crate::ids::Id;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConversationKind {
    /// 单聊: exactly two members.
    Direct,
    /// 群聊: up to 2,000 members with an owner.
    Group,
    /// An application's notification channel to one member (e.g. 审批); read-only for them.
    Channel,
}

impl ConversationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Direct => "direct",
            Self::Group => "group",
            Self::Channel => "channel",
        }
    }
    pub fn parse(s: &str) -> Self {
        match s {
            "group" => Self::Group,
            "channel" => Self::Channel,
            _ => Self::Direct,
        }
    }
}

pub const MAX_GROUP_MEMBERS: usize = 2000;
pub const MAX_TEXT_CHARS: usize = 5000;

/// What a message says. Stored as JSON beside its `kind`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Content {
    Text {
        text: String,
        /// Members mentioned with @.
        #[serde(default)]
        mentions: Vec<Id>,
        /// @所有人
        #[serde(default)]
        mention_all: bool,
    },
    Location {
        lat: f64,
        lng: f64,
        #[serde(default)]
        title: String,
        #[serde(default)]
        address: String,
    },
    Link {
        url: String,
        #[serde(default)]
        title: String,
        #[serde(default)]
        description: String,
    },
    /// 群接龙: a list members append their line to, updated live for everyone.
    Chain {
        title: String,
        /// Whether a member may add more than one line.
        #[serde(default)]
        allow_multiple: bool,
        /// Filled by the server as members join; empty when sending.
        #[serde(default)]
        entries: Vec<ChainEntry>,
    },
    /// A message forwarded from another conversation.
    Forward {
        /// The original content (any kind but forward, chain and notices).
        #[schema(value_type = Object)]
        original: Box<Content>,
        /// Who wrote the original.
        original_sender_id: Id,
        original_sender_name: String,
        original_created_at: i64,
    },
    /// A picture uploaded with `POST /api/v1/files` (kind `image`); the server fills in its size.
    Image {
        file_id: Id,
        #[serde(default)]
        width: i64,
        #[serde(default)]
        height: i64,
    },
    /// Any uploaded file; the server fills in its name and size in bytes.
    File {
        file_id: Id,
        #[serde(default)]
        name: String,
        #[serde(default)]
        size: i64,
    },
    /// A voice note uploaded with kind `voice`; the server fills in its duration.
    Voice {
        file_id: Id,
        #[serde(default)]
        duration_ms: i64,
    },
    /// A notice that an earlier message was recalled (created by the server).
    Recall { message_id: Id },
    /// Shown in place of a recalled message's content.
    Recalled,
    /// Membership and settings changes (created by the server).
    System { text: String },
    /// An application's notification card (e.g. an approval waiting for you), created by the
    /// server in the application's channel; opening it goes to `path` inside the web client.
    Card {
        /// The application key, e.g. `approvals`.
        app: String,
        title: String,
        #[serde(default)]
        description: String,
        /// In-app path, e.g. `/workbench/approvals/123`.
        path: String,
        /// A short status shown on the card (e.g. 待审批, 已通过).
        #[serde(default)]
        status: String,
    },
}

impl Content {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Text { .. } => "text",
            Self::Location { .. } => "location",
            Self::Link { .. } => "link",
            Self::Chain { .. } => "chain",
            Self::Forward { .. } => "forward",
            Self::Image { .. } => "image",
            Self::File { .. } => "file",
            Self::Voice { .. } => "voice",
            Self::Recall { .. } => "recall",
            Self::Recalled => "recalled",
            Self::System { .. } => "system",
            Self::Card { .. } => "card",
        }
    }

    /// The uploaded file an image, file or voice message carries.
    pub fn file_id(&self) -> Option<Id> {
        match self {
            Self::Image { file_id, .. }
            | Self::File { file_id, .. }
            | Self::Voice { file_id, .. } => Some(*file_id),
            _ => None,
        }
    }

    /// Checks content a client sends; server-made kinds are refused. A carried file is checked
    /// when the message is sent (`files::attach`).
    pub fn validate_from_client(&self) -> Result<(), ApiError> {
        let bad = |m: &str| Err(ApiError::invalid("content", m.to_string()));
        match self {
            Self::Text { text, mentions, .. } => {
                if text.trim().is_empty() {
                    return bad("A text message cannot be empty.");
                }
                if text.chars().count() > MAX_TEXT_CHARS {
                    return bad(
                        "A text message can be at most 5000 characters; split it or send a file.",
                    );
                }
                if mentions.len() > 100 {
                    return bad("A message can mention at most 100 people; use @all instead.");
                }
            }
            Self::Location {
                lat,
                lng,
                title,
                address,
            } => {
                if !(-90.0..=90.0).contains(lat) || !(-180.0..=180.0).contains(lng) {
                    return bad(
                        "The location's latitude must be within ±90 and longitude within ±180.",
                    );
                }
                if title.chars().count() > 200 || address.chars().count() > 500 {
                    return bad("The location's title or address is too long.");
                }
            }
            Self::Link {
                url,
                title,
                description,
            } => {
                if !(url.starts_with("https://") || url.starts_with("http://")) || url.len() > 2000
                {
                    return bad("A link must be an http(s) URL of at most 2000 characters.");
                }
                if title.chars().count() > 200 || description.chars().count() > 1000 {
                    return bad("The link's title or description is too long.");
                }
            }
            Self::Chain { title, entries, .. } => {
                if title.trim().is_empty() || title.chars().count() > 200 {
                    return bad("A sign-up chain needs a title of 1 to 200 characters.");
                }
                if !entries.is_empty() {
                    return bad("A new sign-up chain starts empty; members add their lines to it.");
                }
            }
            Self::Image { .. } | Self::File { .. } | Self::Voice { .. } => {}
            Self::Recall { .. }
            | Self::Recalled
            | Self::System { .. }
            | Self::Forward { .. }
            | Self::Card { .. } => {
                return bad("This kind of message is created by the server only.");
            }
        }
        Ok(())
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChainEntry {
    pub member_id: Id,
    pub text: String,
    pub created_at: i64,
}

pub const MAX_CHAIN_ENTRIES: usize = 500;

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Message {
    pub id: Id,
    pub conversation_id: Id,
    /// Position in the conversation: strictly increasing, no gaps.
    pub seq: i64,
    pub sender_id: Id,
    /// The sender's idempotency key.
    pub client_msg_id: String,
    pub content: Content,
    pub reply_to: Option<Id>,
    pub recalled: bool,
    pub created_at: i64,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Conversation {
    pub id: Id,
    pub kind: ConversationKind,
    /// Group name; for a direct chat, the other person's name.
    pub name: String,
    pub owner_id: Option<Id>,
    pub member_ids: Vec<Id>,
    /// Group administrators besides the owner.
    pub admin_ids: Vec<Id>,
    /// The caller's role here: `owner`, `admin` or `member`.
    pub my_role: String,
    /// 群公告
    pub announcement: Option<String>,
    /// 仅群主可发言
    pub only_admins_speak: bool,
    /// Who may @all: `admins` or `everyone`.
    pub mention_all: String,
    /// Sequence of the newest message.
    pub last_seq: i64,
    /// The caller has read up to here.
    pub read_seq: i64,
    /// Messages from others after `read_seq` (or 1 when marked unread).
    pub unread: i64,
    pub muted: bool,
    pub pinned: bool,
    pub last_message: Option<Message>,
    pub last_message_at: i64,
    pub created_at: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ConversationList {
    pub items: Vec<Conversation>,
    /// Sum of `unread` over conversations that are not muted.
    pub total_unread: i64,
}

#[derive(Serialize, ToSchema)]
pub struct MessagePage {
    /// Ascending by `seq`.
    pub items: Vec<Message>,
    /// More messages exist in the direction asked.
    pub has_more: bool,
}

#[derive(Serialize, ToSchema)]
pub struct Receipts {
    pub message_id: Id,
    pub read_count: i64,
    /// Everyone who can read it except the sender.
    pub total: i64,
    pub read_by: Vec<Id>,
    pub unread_by: Vec<Id>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_rules() {
        let text = |t: &str| Content::Text {
            text: t.into(),
            mentions: vec![],
            mention_all: false,
        };
        assert!(text("你好").validate_from_client().is_ok());
        assert!(text("   ").validate_from_client().is_err());
        assert!(text(&"字".repeat(5001)).validate_from_client().is_err());
        let loc = Content::Location {
            lat: 91.0,
            lng: 0.0,
            title: String::new(),
            address: String::new(),
        };
        assert!(loc.validate_from_client().is_err());
        assert!(Content::Recalled.validate_from_client().is_err());
        let link = Content::Link {
            url: "javascript:x".into(),
            title: String::new(),
            description: String::new(),
        };
        assert!(link.validate_from_client().is_err());
    }

    #[test]
    fn content_json_shape() {
        let c: Content =
            serde_json::from_str(r#"{"kind":"text","text":"hi","mentions":["12"]}"#).unwrap();
        assert_eq!(c.kind(), "text");
        assert_eq!(
            serde_json::to_value(&Content::Recalled).unwrap(),
            serde_json::json!({"kind":"recalled"})
        );
    }
}
