//! Field-level validation errors with stable codes and zh-CN / en messages.

use serde::Serialize;

/// UI / message language. zh-CN is the default everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum Lang {
    #[default]
    #[serde(rename = "zh-CN")]
    Zh,
    #[serde(rename = "en")]
    En,
}

impl Lang {
    /// Picks a language from an `Accept-Language` header or a `lang` cookie value.
    /// Anything that does not ask for English first gets Chinese.
    pub fn negotiate(header: &str) -> Lang {
        let first = header
            .split(',')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if first.starts_with("en") {
            Lang::En
        } else {
            Lang::Zh
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
}

/// One problem with one input field. `code` is stable (clients may switch on it);
/// the messages are for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub code: &'static str,
    pub zh: String,
    pub en: String,
}

impl FieldError {
    pub fn new(
        field: impl Into<String>,
        code: &'static str,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        FieldError {
            field: field.into(),
            code,
            zh: zh.into(),
            en: en.into(),
        }
    }

    pub fn required(field: impl Into<String>) -> Self {
        FieldError::new(field, "required", "此项为必填项", "This field is required")
    }

    /// A key the request's contract does not know (`caller.nick`).
    pub fn unknown_field(path: impl Into<String>) -> Self {
        let path = path.into();
        FieldError::new(
            path.clone(),
            "unknown_field",
            format!("未知字段「{path}」"),
            format!("Unknown field “{path}”"),
        )
    }

    pub fn too_long(field: impl Into<String>, max: usize) -> Self {
        FieldError::new(
            field,
            "too_long",
            format!("不能超过 {max} 个字"),
            format!("Must be at most {max} characters"),
        )
    }

    pub fn message(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

/// Collects field errors so that a form reports all of its problems at once.
#[derive(Debug, Default)]
pub struct Errors(pub Vec<FieldError>);

impl Errors {
    pub fn push(&mut self, e: FieldError) {
        self.0.push(e);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_result<T>(self, ok: T) -> Result<T, Vec<FieldError>> {
        if self.0.is_empty() {
            Ok(ok)
        } else {
            Err(self.0)
        }
    }
}
