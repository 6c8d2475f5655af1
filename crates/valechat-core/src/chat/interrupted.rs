//! Requests a killed process left behind (issue 13, point 9). A reply
//! streaming when ValeChat was killed (`kill -9`, a crash, a power cut)
//! left its message `streaming` and its reservation held; the store marks
//! both at the next open, when no other process has the database
//! (`Store::open`: the message becomes incomplete, the reservation
//! interrupted). [`Engine::settle_interrupted`] then turns each such
//! reservation into a usage record estimated from what was stored: the
//! input ValeChat counted before sending, and the output the message kept
//! (text, reasoning, tool calls), at the model's price in force when the
//! request was made. The record is flagged `estimated` and its outcome is
//! `failed`; the reservation is gone.

use super::meter::{Meter, MeterSetup, RequestEnd, RequestMeter};
use super::{Engine, EngineError};
use crate::billing::{CountMethod, TokenCount};
use crate::ledger::{InterruptedRequest, Outcome, Reservation};

impl Engine {
    /// Records the requests a killed process left behind as estimated
    /// usage records (see the module doc); returns how many. Front ends
    /// call it once after opening the engine. A request whose price cannot
    /// be read is recorded as unpriced; one that cannot be recorded stays
    /// for the next start (logged).
    ///
    /// # Errors
    /// [`EngineError::Store`] when the interrupted requests cannot be read.
    pub async fn settle_interrupted(&self) -> Result<usize, EngineError> {
        let mut settled = 0;
        for request in self.store.interrupted_requests().await? {
            let id = request.request_id.clone();
            match self.settle_one(request).await {
                Ok(()) => settled += 1,
                Err(e) => {
                    tracing::warn!(request = %id, "could not record an interrupted request: {e}");
                }
            }
        }
        if settled > 0 {
            tracing::info!(
                settled,
                "usage of interrupted requests recorded as estimated"
            );
        }
        Ok(settled)
    }

    async fn settle_one(&self, request: InterruptedRequest) -> Result<(), EngineError> {
        let price = match self.store.get_provider(&request.provider_id).await? {
            Some(provider) => self
                .price_book()
                .await?
                .price_for_provider(&provider, &request.model, request.created_at)
                .await
                .unwrap_or_else(|e| {
                    tracing::warn!(model = %request.model, "no price: {e}");
                    None
                }),
            None => None,
        };
        let meter = Meter::new(
            self.store.clone(),
            MeterSetup {
                provider_id: request.provider_id.clone(),
                model: request.model.clone(),
                conversation_id: request.conversation_id,
                price,
                max_output_tokens: None,
                allow_over_limit: true,
                client: None,
            },
        );
        let input = request
            .input_tokens
            .and_then(|n| u64::try_from(n).ok())
            .unwrap_or(0);
        let billing = RequestMeter {
            request_id: request.request_id,
            // The count was noted, not how: an estimate, not verified.
            counted: TokenCount {
                tokens: input,
                method: CountMethod::Unknown,
            },
            reservation: Reservation::default(),
        };
        meter
            .settle(
                billing,
                RequestEnd {
                    message_id: request.message_id,
                    usage: None,
                    reported_cost: None,
                    output_text: &request.stored_output,
                    outcome: Outcome::Failed,
                    // Only a request whose message was stored had reached
                    // the provider; one without released its hold.
                    accepted: request.message_id.is_some(),
                },
            )
            .await?;
        Ok(())
    }
}
