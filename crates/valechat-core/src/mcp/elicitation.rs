//! Elicitation requests as the front ends show them (MCP 2025-11-25,
//! "Client Features → Elicitation"): a server's `elicitation/create` is
//! either a **form** (a flat object schema of primitive fields) or a **URL**
//! the user opens in a browser.
//!
//! [`Elicitation::parse`] turns rmcp's [`ElicitRequestParams`] into a typed
//! [`ElicitationForm`] (one [`Field`] per property, in the server's order,
//! with its kind, limits, default and whether it is required) or a
//! [`UrlElicitation`]. The form's values are checked and turned into the
//! answer's `content` by `validate` ([`Field::validate`],
//! [`ElicitationForm::content`]). No GTK here: the GUI dialog and the CLI
//! prompt both build on this.

mod schema;
mod validate;

use rmcp::model::{ElicitRequestParams, ElicitationSchema};

pub use validate::{FieldError, FieldValue, InvalidForm};

/// A parsed `elicitation/create` request.
#[derive(Debug, Clone, PartialEq)]
pub enum Elicitation {
    /// Form mode: fields to fill in.
    Form(ElicitationForm),
    /// URL mode: a page to open in the browser.
    Url(UrlElicitation),
}

/// Why a request cannot be shown (the front end declines it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ElicitationError {
    /// A URL-mode request whose `url` does not parse.
    #[error("the elicitation URL “{url}” is not a valid URL: {reason}")]
    BadUrl {
        /// The URL as sent.
        url: String,
        /// The parser's complaint.
        reason: String,
    },
    /// A URL-mode request for something other than a web page (`file:`,
    /// `javascript:`…), which ValeChat never opens.
    #[error("the elicitation URL “{url}” is not an http or https address")]
    UnsafeUrl {
        /// The URL as sent.
        url: String,
    },
    /// A mode or property type this version of ValeChat does not know.
    #[error("unsupported elicitation request: {0}")]
    Unsupported(String),
}

/// Form mode: the server's message and the fields of `requestedSchema`.
#[derive(Debug, Clone, PartialEq)]
pub struct ElicitationForm {
    /// What the server asks for, shown above the fields.
    pub message: String,
    /// The schema's `title`, if any.
    pub title: Option<String>,
    /// The schema's `description`, if any.
    pub description: Option<String>,
    /// One per property, in the order the server sent them.
    pub fields: Vec<Field>,
}

/// URL mode: a page where the user gives the information directly to the
/// server (credentials, payments…), never through ValeChat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlElicitation {
    /// Why the server wants the page opened.
    pub message: String,
    /// The full URL, as sent (http or https).
    pub url: String,
    /// The URL's host, e.g. `example.com`, to show prominently.
    pub host: String,
    /// The server's id of this elicitation (empty when not sent).
    pub elicitation_id: String,
}

/// One property of the requested schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The property name, the key in the answer's `content`.
    pub name: String,
    /// The label: the schema's `title`, else the property name.
    pub title: String,
    /// The schema's `description`, if any.
    pub description: Option<String>,
    /// Whether the property is listed in the schema's `required`.
    pub required: bool,
    /// The type with its constraints and default.
    pub kind: FieldKind,
}

/// A field's type, constraints and default.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldKind {
    /// `type: string`, optionally with a `format`.
    Text {
        /// `email`, `uri`, `date` or `date-time`.
        format: Option<TextFormat>,
        /// `minLength`, in characters.
        min_length: Option<u32>,
        /// `maxLength`, in characters.
        max_length: Option<u32>,
        /// `default`.
        default: Option<String>,
    },
    /// `type: number` (a JSON number, fractions allowed).
    Number {
        /// `minimum`, inclusive.
        minimum: Option<f64>,
        /// `maximum`, inclusive.
        maximum: Option<f64>,
        /// `default`.
        default: Option<f64>,
    },
    /// `type: integer`.
    Integer {
        /// `minimum`, inclusive.
        minimum: Option<i64>,
        /// `maximum`, inclusive.
        maximum: Option<i64>,
        /// `default`.
        default: Option<i64>,
    },
    /// `type: boolean`.
    Boolean {
        /// `default`.
        default: Option<bool>,
    },
    /// A single-select string enum (`enum`, titled `oneOf`, or the legacy
    /// `enum` + `enumNames`).
    Choice {
        /// The options, in the server's order.
        options: Vec<Choice>,
        /// `default`, kept only when it is one of the options.
        default: Option<String>,
    },
    /// A multi-select `array` of enum strings (`items.enum` or titled
    /// `items.anyOf`).
    MultiChoice {
        /// The options, in the server's order.
        options: Vec<Choice>,
        /// `minItems`.
        min_items: Option<u64>,
        /// `maxItems`.
        max_items: Option<u64>,
        /// `default`, keeping only values that are options.
        default: Vec<String>,
    },
}

/// A string format the spec allows in elicitation schemas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextFormat {
    /// `email`: an address like `name@example.com`.
    Email,
    /// `uri`: an absolute URI like `https://example.com`.
    Uri,
    /// `date`: `YYYY-MM-DD` (RFC 3339 full-date).
    Date,
    /// `date-time`: RFC 3339, e.g. `2026-11-22T10:00:00Z`.
    DateTime,
}

/// One option of an enum field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// The value sent back (`const`, or the `enum` member).
    pub value: String,
    /// The label (`title`, `enumNames` entry, else the value).
    pub title: String,
}

impl Elicitation {
    /// Parses a request.
    ///
    /// # Errors
    /// [`ElicitationError`] for a URL that does not parse or is not http(s),
    /// and for a mode or property type rmcp knows but ValeChat does not.
    pub fn parse(params: ElicitRequestParams) -> Result<Self, ElicitationError> {
        match params {
            ElicitRequestParams::FormElicitationParams {
                message,
                requested_schema,
                ..
            } => Ok(Self::Form(ElicitationForm::from_schema(
                message,
                requested_schema,
            )?)),
            ElicitRequestParams::UrlElicitationParams {
                message,
                url,
                elicitation_id,
                ..
            } => Ok(Self::Url(UrlElicitation::new(
                message,
                url,
                elicitation_id,
            )?)),
            other => Err(ElicitationError::Unsupported(format!("{other:?}"))),
        }
    }

    /// The server's message.
    #[must_use]
    pub fn message(&self) -> &str {
        match self {
            Self::Form(form) => &form.message,
            Self::Url(url) => &url.message,
        }
    }
}

impl UrlElicitation {
    fn new(message: String, url: String, elicitation_id: String) -> Result<Self, ElicitationError> {
        let parsed = url::Url::parse(&url).map_err(|e| ElicitationError::BadUrl {
            url: url.clone(),
            reason: e.to_string(),
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(ElicitationError::UnsafeUrl { url });
        }
        let host = parsed.host_str().unwrap_or_default().to_owned();
        Ok(Self {
            message,
            url,
            host,
            elicitation_id,
        })
    }
}

impl ElicitationForm {
    /// The fields of `schema` in wire order, with `message` above them.
    ///
    /// # Errors
    /// [`ElicitationError::Unsupported`] for a property type rmcp added
    /// after 3.9.
    pub fn from_schema(
        message: String,
        schema: ElicitationSchema,
    ) -> Result<Self, ElicitationError> {
        let required = schema.required.unwrap_or_default();
        let mut properties = schema.properties;
        let mut order = schema.property_order.unwrap_or_default();
        // Properties missing from the order (built in code) follow, sorted.
        order.extend(
            properties
                .keys()
                .filter(|k| !order.contains(k))
                .cloned()
                .collect::<Vec<_>>(),
        );
        let mut fields = Vec::with_capacity(properties.len());
        for name in order {
            let Some(definition) = properties.remove(&name) else {
                continue;
            };
            let (title, description, kind) = schema::field_kind(&name, definition)?;
            fields.push(Field {
                required: required.contains(&name),
                title: title.unwrap_or_else(|| name.clone()),
                name,
                description,
                kind,
            });
        }
        Ok(Self {
            message,
            title: schema.title.map(Into::into),
            description: schema.description.map(Into::into),
            fields,
        })
    }
}

#[cfg(test)]
#[path = "elicitation/tests.rs"]
mod tests;
