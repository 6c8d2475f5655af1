//! The values of a pre-flight reservation against spending limits and of
//! settling a request: what is asked ([`SpendRequest`]), each limit's state
//! ([`LimitUse`]), the answer ([`Reservation`] or [`LimitRefusal`]), a
//! breach in flight ([`LimitBreach`]) and what settling returns
//! ([`Settlement`], [`LimitAlert`]).
//!
//! The rules that produce them are the ledger's (`crate::ledger::reserve`);
//! the store computes the spends and keeps the holds.

use rust_decimal::Decimal;

use super::period::Period;
use super::spending_limit::{SpendTarget, SpendingLimit};

/// Age after which a reservation no longer counts, in ms (one hour).
pub const STALE_RESERVATION_MS: i64 = 3_600_000;

/// A request about to be sent, as [`Store::reserve`](crate::store::Store::reserve) takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpendRequest {
    /// Unique id of the provider request; the usage record reuses it.
    pub request_id: String,
    /// Provider id.
    pub provider_id: String,
    /// Model id as the server names it.
    pub model: String,
    /// Conversation, if any.
    pub conversation_id: Option<i64>,
    /// Worst-case cost, USD ≥ 0 (counted input × input price + max output ×
    /// output price). Zero (free local models) is never refused.
    pub worst_case: Decimal,
}

impl SpendRequest {
    /// What the request spends on.
    #[must_use]
    pub fn target(&self) -> SpendTarget {
        SpendTarget {
            provider_id: self.provider_id.clone(),
            model: self.model.clone(),
            conversation_id: self.conversation_id,
        }
    }
}

/// One limit's state in its current period.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LimitUse {
    /// The limit.
    pub limit: SpendingLimit,
    /// Its current period (day, month or total).
    pub period: Period,
    /// Spent in the period, USD: usage records plus other active
    /// reservations in the limit's scope.
    pub spent: Decimal,
}

impl LimitUse {
    /// What is left before the amount, USD (never negative).
    #[must_use]
    pub fn remaining(&self) -> Decimal {
        (self.limit.amount_usd - self.spent).max(Decimal::ZERO)
    }

    /// Whether adding `cost` USD would take the spend above the amount.
    #[must_use]
    pub fn crossed_by(&self, cost: Decimal) -> bool {
        self.spent + cost > self.limit.amount_usd
    }
}

/// A granted reservation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reservation {
    /// The request id.
    pub request_id: String,
    /// Amount held, USD (the worst case).
    pub amount_usd: Decimal,
    /// Soft limits this request may cross (show a warning).
    pub warnings: Vec<LimitUse>,
    /// Hard limits crossed because the person chose to send once anyway.
    pub overridden: Vec<LimitUse>,
    /// The smallest room left under a hard limit that still applies (not
    /// overridden), USD; `None` when no hard limit applies. The engine may
    /// stop the stream once the running cost passes it, or ask
    /// [`Store::running_check`](crate::store::Store::running_check).
    pub headroom: Option<Decimal>,
}

/// Why a request was refused: the hard limit it would cross.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "sending could cost up to {worst_case} USD, but the hard limit {} of {} USD ({}) has {} USD \
     left ({} USD spent); raise the limit or send once anyway",
    limit.limit.describe(),
    limit.limit.amount_usd,
    limit.period.key,
    limit.remaining(),
    limit.spent
)]
pub struct LimitRefusal {
    /// The request id.
    pub request_id: String,
    /// The worst-case cost asked for, USD.
    pub worst_case: Decimal,
    /// The tightest hard limit that would be crossed (least remaining).
    pub limit: LimitUse,
    /// Every hard limit that would be crossed, tightest first (includes `limit`).
    pub crossed: Vec<LimitUse>,
}

/// A hard limit the running cost of a request in flight has crossed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the reply was stopped: it has cost {running_cost} USD and the hard limit {} of {} USD ({}) \
     had {} USD left",
    limit.limit.describe(),
    limit.limit.amount_usd,
    limit.period.key,
    limit.remaining()
)]
pub struct LimitBreach {
    /// The limit, with the spend of everything else.
    pub limit: LimitUse,
    /// The request's running cost, USD.
    pub running_cost: Decimal,
}

/// A threshold crossed for the first time in its period: raise one
/// notification for it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LimitAlert {
    /// The limit.
    pub limit: SpendingLimit,
    /// Percent of the amount.
    pub threshold: u8,
    /// Period key (`"2026-11-22"`, `"2026-11"`, `"total"`).
    pub period_key: String,
    /// Spent in the period after the settled request, USD.
    pub spent: Decimal,
}

/// What [`Store::settle`](crate::store::Store::settle) did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settlement {
    /// Row id of the usage record (the earlier one for a duplicate).
    pub record_id: i64,
    /// The request id was already recorded: nothing was billed again.
    pub duplicate: bool,
    /// Thresholds crossed for the first time: one per limit (the highest
    /// crossed, lower ones crossed with it are recorded but not listed),
    /// by limit id.
    pub alerts: Vec<LimitAlert>,
}

/// A reservation left over by a process that is gone (killed mid-stream):
/// what is needed to record its request as an estimated usage record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterruptedRequest {
    /// The request id (also the usage record's).
    pub request_id: String,
    /// Provider id.
    pub provider_id: String,
    /// Model id.
    pub model: String,
    /// Conversation, if any.
    pub conversation_id: Option<i64>,
    /// The assistant message the request was writing, if it was stored.
    pub message_id: Option<i64>,
    /// ValeChat's count of the request's input tokens, if it was noted.
    pub input_tokens: Option<i64>,
    /// What the message kept of the reply: its text, reasoning and tool
    /// calls' names and arguments, joined (empty without a message).
    pub stored_output: String,
    /// When the reservation was taken, UTC unix ms.
    pub created_at: i64,
}
