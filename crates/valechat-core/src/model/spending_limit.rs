//! Spending limits: scopes, the limit itself, and the validation of what a
//! person enters (amount > 0, thresholds 1..=100 without repeats, a target
//! that fits the scope). Stored by
//! [`Store::create_limit`](crate::store::Store::create_limit) and
//! friends in `spending_limits`.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;

use super::limit_error::LimitError;
use super::period::{Period, Periods};

/// Alert thresholds used when none are given, in percent.
pub const DEFAULT_THRESHOLDS: [u8; 3] = [50, 80, 100];

/// What a limit covers and over which local-calendar period it resets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitScope {
    /// Everything, per local day. No target.
    GlobalDay,
    /// Everything, per local month. No target.
    GlobalMonth,
    /// One provider (target: provider id), per local month.
    ProviderMonth,
    /// One model (target: `"provider/model"`), per local month.
    ModelMonth,
    /// One conversation (target: its id as text), all time.
    Conversation,
}

impl LimitScope {
    /// Every scope, in display order.
    pub const ALL: [Self; 5] = [
        Self::GlobalDay,
        Self::GlobalMonth,
        Self::ProviderMonth,
        Self::ModelMonth,
        Self::Conversation,
    ];

    /// The stored name, e.g. `"provider_month"`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::GlobalDay => "global_day",
            Self::GlobalMonth => "global_month",
            Self::ProviderMonth => "provider_month",
            Self::ModelMonth => "model_month",
            Self::Conversation => "conversation",
        }
    }

    /// Whether limits of this scope name a target.
    #[must_use]
    pub fn needs_target(self) -> bool {
        !matches!(self, Self::GlobalDay | Self::GlobalMonth)
    }

    /// The period of this scope among `periods` (conversation: all time).
    #[must_use]
    pub fn period(self, periods: &Periods) -> Period {
        match self {
            Self::GlobalDay => periods.day.clone(),
            Self::GlobalMonth | Self::ProviderMonth | Self::ModelMonth => periods.month.clone(),
            Self::Conversation => Period::total(),
        }
    }
}

impl fmt::Display for LimitScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for LimitScope {
    type Err = LimitError;

    /// Parses a stored name (`"global_day"`…).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|scope| scope.as_str() == s)
            .ok_or_else(|| LimitError::UnknownScope(s.to_owned()))
    }
}

/// What a request is spent on, to find the limits that apply to it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SpendTarget {
    /// Provider id, e.g. `"openai"`.
    pub provider_id: String,
    /// Model id as the server names it, e.g. `"gpt-4o-mini"`.
    pub model: String,
    /// Conversation row id, if the request belongs to one.
    pub conversation_id: Option<i64>,
}

/// A stored spending limit.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SpendingLimit {
    /// Row id.
    pub id: i64,
    /// What it covers.
    pub scope: LimitScope,
    /// Provider id, `"provider/model"`, or conversation id; `None` for the
    /// global scopes.
    pub target: Option<String>,
    /// Amount per period, USD (> 0).
    pub amount_usd: Decimal,
    /// `true`: refuse requests that would cross it; `false`: only warn.
    pub hard: bool,
    /// Alert thresholds in percent of the amount, ascending, 1..=100.
    pub thresholds: Vec<u8>,
    /// Whether the limit is checked at all.
    pub enabled: bool,
    /// Creation time, UTC unix ms.
    pub created_at: i64,
    /// Last change, UTC unix ms.
    pub updated_at: i64,
    /// The display name of the provider the target names (a provider
    /// limit's provider, a model limit's provider), as the providers table
    /// holds it when the limit is read; `None` for other scopes and for a
    /// provider removed since. Not stored with the limit: messages name
    /// "OpenAI" where the target says `openai`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider_name: Option<String>,
}

impl SpendingLimit {
    /// The provider id the target names: a provider limit's target, or
    /// the part of a model limit's `provider/model` before the first
    /// slash; `None` for other scopes.
    #[must_use]
    pub fn target_provider(&self) -> Option<&str> {
        let target = self.target.as_deref()?;
        match self.scope {
            LimitScope::ProviderMonth => Some(target),
            LimitScope::ModelMonth => target.split_once('/').map(|(p, _)| p),
            _ => None,
        }
    }

    /// Whether spending on `target` counts against this limit (ignores
    /// `enabled` and time).
    #[must_use]
    pub fn applies_to(&self, target: &SpendTarget) -> bool {
        self.matches(&target.provider_id, &target.model, target.conversation_id)
    }

    /// [`SpendingLimit::applies_to`] on borrowed parts, for scanning many
    /// records without allocating.
    #[must_use]
    pub fn matches(&self, provider_id: &str, model: &str, conversation_id: Option<i64>) -> bool {
        let wanted = self.target.as_deref();
        match self.scope {
            LimitScope::GlobalDay | LimitScope::GlobalMonth => true,
            LimitScope::ProviderMonth => wanted == Some(provider_id),
            LimitScope::ModelMonth => wanted.is_some_and(|w| {
                w.split_once('/')
                    .is_some_and(|(p, m)| p == provider_id && m == model)
            }),
            LimitScope::Conversation => {
                conversation_id.is_some() && self.conversation_id() == conversation_id
            }
        }
    }

    /// The conversation id of a conversation limit.
    #[must_use]
    pub fn conversation_id(&self) -> Option<i64> {
        match self.scope {
            LimitScope::Conversation => self.target.as_deref()?.parse().ok(),
            _ => None,
        }
    }

    /// A short human description: `"global_month"`, `"provider_month openai"`.
    #[must_use]
    pub fn describe(&self) -> String {
        match &self.target {
            Some(t) => format!("{} {t}", self.scope),
            None => self.scope.to_string(),
        }
    }
}

/// What [`Store::create_limit`](crate::store::Store::create_limit)
/// and [`Store::set_limit`](crate::store::Store::set_limit) take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLimit {
    /// What it covers.
    pub scope: LimitScope,
    /// See [`SpendingLimit::target`].
    pub target: Option<String>,
    /// Amount per period, USD; must be > 0.
    pub amount_usd: Decimal,
    /// Hard (refuse) or soft (warn).
    pub hard: bool,
    /// Alert thresholds, percent 1..=100, no repeats (sorted on save).
    pub thresholds: Vec<u8>,
    /// Whether the limit is checked.
    pub enabled: bool,
}

impl NewLimit {
    /// A hard, enabled limit with [`DEFAULT_THRESHOLDS`].
    pub fn hard(scope: LimitScope, target: Option<&str>, amount_usd: Decimal) -> Self {
        Self {
            scope,
            target: target.map(str::to_owned),
            amount_usd,
            hard: true,
            thresholds: DEFAULT_THRESHOLDS.to_vec(),
            enabled: true,
        }
    }

    /// Checks the values and returns them normalised (thresholds sorted,
    /// target trimmed).
    ///
    /// # Errors
    /// [`LimitError::NonPositiveAmount`], [`LimitError::ThresholdOutOfRange`],
    /// [`LimitError::RepeatedThreshold`], [`LimitError::TargetRequired`],
    /// [`LimitError::TargetNotAllowed`], [`LimitError::InvalidTarget`].
    pub fn validated(mut self) -> Result<Self, LimitError> {
        if self.amount_usd <= Decimal::ZERO {
            return Err(LimitError::NonPositiveAmount(self.amount_usd));
        }
        self.thresholds = validate_thresholds(&self.thresholds)?;
        self.target = self
            .target
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty());
        match (&self.target, self.scope.needs_target()) {
            (None, true) => return Err(LimitError::TargetRequired(self.scope)),
            (Some(_), false) => return Err(LimitError::TargetNotAllowed(self.scope)),
            _ => {}
        }
        if let Some(target) = &self.target {
            check_target(self.scope, target)?;
        }
        Ok(self)
    }
}

/// Checks and sorts alert thresholds.
///
/// # Errors
/// [`LimitError::ThresholdOutOfRange`] outside 1..=100,
/// [`LimitError::RepeatedThreshold`] for a value given twice.
pub fn validate_thresholds(thresholds: &[u8]) -> Result<Vec<u8>, LimitError> {
    let mut sorted = thresholds.to_vec();
    sorted.sort_unstable();
    for pair in sorted.windows(2) {
        if pair[0] == pair[1] {
            return Err(LimitError::RepeatedThreshold(pair[0]));
        }
    }
    if let Some(bad) = sorted.iter().find(|t| !(1..=100).contains(*t)) {
        return Err(LimitError::ThresholdOutOfRange(i64::from(*bad)));
    }
    Ok(sorted)
}

/// Parses `"50,80,100"` (spaces allowed; empty: no alerts) and validates it.
///
/// # Errors
/// [`LimitError::BadThresholds`] for text that is not a list of integers,
/// then as [`validate_thresholds`].
pub fn parse_thresholds(text: &str) -> Result<Vec<u8>, LimitError> {
    let mut values = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let value: i64 = part
            .parse()
            .map_err(|_| LimitError::BadThresholds(text.to_owned()))?;
        let value = u8::try_from(value).map_err(|_| LimitError::ThresholdOutOfRange(value))?;
        values.push(value);
    }
    validate_thresholds(&values)
}

/// Formats thresholds as stored: `"50,80,100"`.
pub fn format_thresholds(thresholds: &[u8]) -> String {
    thresholds
        .iter()
        .map(u8::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// Checks that `target` has the shape `scope` needs.
fn check_target(scope: LimitScope, target: &str) -> Result<(), LimitError> {
    let invalid = |reason: &'static str| LimitError::InvalidTarget {
        scope,
        target: target.to_owned(),
        reason,
    };
    match scope {
        LimitScope::ModelMonth => match target.split_once('/') {
            Some((p, m)) if !p.is_empty() && !m.is_empty() => Ok(()),
            _ => Err(invalid("a model limit's target is \"provider/model\"")),
        },
        LimitScope::Conversation => target
            .parse::<i64>()
            .map(drop)
            .map_err(|_| invalid("a conversation limit's target is a conversation id")),
        LimitScope::ProviderMonth if target.contains('/') => {
            Err(invalid("a provider id has no '/'"))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(provider: &str, model: &str, conversation: Option<i64>) -> SpendTarget {
        SpendTarget {
            provider_id: provider.into(),
            model: model.into(),
            conversation_id: conversation,
        }
    }

    #[test]
    fn model_target_splits_at_the_first_slash() {
        let limit = SpendingLimit {
            id: 1,
            scope: LimitScope::ModelMonth,
            target: Some("openrouter/openai/gpt-4o".into()),
            amount_usd: Decimal::ONE,
            hard: true,
            thresholds: vec![],
            enabled: true,
            created_at: 0,
            updated_at: 0,
            provider_name: None,
        };
        assert_eq!(limit.target_provider(), Some("openrouter"));
        assert!(limit.applies_to(&target("openrouter", "openai/gpt-4o", None)));
        assert!(!limit.applies_to(&target("openai", "gpt-4o", None)));
    }

    #[test]
    fn thresholds_are_checked() {
        assert_eq!(parse_thresholds(" 80, 50,100").unwrap(), vec![50, 80, 100]);
        assert_eq!(parse_thresholds("").unwrap(), Vec::<u8>::new());
        assert_eq!(
            parse_thresholds("50,50"),
            Err(LimitError::RepeatedThreshold(50))
        );
        assert_eq!(
            parse_thresholds("0,50"),
            Err(LimitError::ThresholdOutOfRange(0))
        );
        assert_eq!(
            parse_thresholds("101"),
            Err(LimitError::ThresholdOutOfRange(101))
        );
        assert_eq!(
            parse_thresholds("300"),
            Err(LimitError::ThresholdOutOfRange(300))
        );
        assert!(matches!(
            parse_thresholds("half"),
            Err(LimitError::BadThresholds(_))
        ));
    }

    #[test]
    fn targets_fit_their_scope() {
        let limit = |scope, target: Option<&str>, amount: i64| {
            NewLimit::hard(scope, target, Decimal::from(amount)).validated()
        };
        assert!(limit(LimitScope::GlobalDay, None, 1).is_ok());
        assert_eq!(
            limit(LimitScope::GlobalDay, None, 0),
            Err(LimitError::NonPositiveAmount(Decimal::ZERO))
        );
        assert_eq!(
            limit(LimitScope::GlobalDay, Some("openai"), 1),
            Err(LimitError::TargetNotAllowed(LimitScope::GlobalDay))
        );
        assert_eq!(
            limit(LimitScope::ProviderMonth, Some("  "), 1),
            Err(LimitError::TargetRequired(LimitScope::ProviderMonth))
        );
        assert!(limit(LimitScope::ModelMonth, Some("gpt-4o"), 1).is_err());
        assert!(limit(LimitScope::Conversation, Some("abc"), 1).is_err());
        assert!(limit(LimitScope::Conversation, Some("12"), 1).is_ok());
    }
}
