//! Unit tests of [`CircuitBreaker`] on paused tokio time.

use std::time::Duration;

use super::*;

fn breaker(threshold: u32, cool_down_secs: u64) -> CircuitBreaker {
    CircuitBreaker::new(BreakerConfig {
        failure_threshold: threshold,
        cool_down: Duration::from_secs(cool_down_secs),
    })
}

fn fail(b: &CircuitBreaker, n: u32) {
    for _ in 0..n {
        b.try_acquire().unwrap().finish(Outcome::Failed);
    }
}

fn refusal_message(b: &CircuitBreaker) -> String {
    match b.try_acquire() {
        Err(ProviderError::Server {
            status: REFUSED_STATUS,
            message,
        }) => message,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn opens_after_the_threshold_of_consecutive_failures() {
    let b = breaker(3, 30);
    fail(&b, 2);
    assert_eq!(b.state(), BreakerState::Closed);
    fail(&b, 1);
    let start = Instant::now();
    assert_eq!(
        b.state(),
        BreakerState::Open {
            until: start + Duration::from_secs(30)
        }
    );
    let message = refusal_message(&b);
    assert!(message.starts_with("circuit open after 3"), "{message}");
    assert!(message.ends_with("retry after 30 s"), "{message}");
}

#[tokio::test(start_paused = true)]
async fn an_answer_resets_the_count_and_neutral_outcomes_do_not_count() {
    let b = breaker(3, 30);
    fail(&b, 2);
    b.try_acquire().unwrap().finish(Outcome::Answered);
    fail(&b, 2);
    for _ in 0..5 {
        b.try_acquire().unwrap().finish(Outcome::Neutral);
        drop(b.try_acquire().unwrap());
    }
    assert_eq!(b.state(), BreakerState::Closed);
    fail(&b, 1);
    assert!(matches!(b.state(), BreakerState::Open { .. }));
}

#[test]
fn errors_are_classified_for_the_breaker() {
    let rate = |quota| ProviderError::RateLimited {
        message: String::new(),
        retry_after: None,
        quota_exhausted: quota,
    };
    assert_eq!(Outcome::of_error(&rate(false)), Outcome::Failed);
    assert_eq!(
        Outcome::of_error(&ProviderError::Timeout("t".into())),
        Outcome::Failed
    );
    assert_eq!(Outcome::of_error(&rate(true)), Outcome::Answered);
    assert_eq!(
        Outcome::of_error(&ProviderError::Unauthorized {
            message: String::new()
        }),
        Outcome::Answered
    );
    assert_eq!(
        Outcome::of_error(&ProviderError::NotFound {
            message: String::new()
        }),
        Outcome::Answered
    );
    let http = |status| ProviderError::Http {
        status,
        message: String::new(),
    };
    assert_eq!(Outcome::of_error(&http(408)), Outcome::Failed);
    assert_eq!(Outcome::of_error(&http(418)), Outcome::Answered);
    assert_eq!(
        Outcome::of_error(&ProviderError::Cancelled),
        Outcome::Neutral
    );
}

#[tokio::test(start_paused = true)]
async fn half_opens_after_the_cool_down_and_a_successful_probe_closes() {
    let b = breaker(2, 30);
    fail(&b, 2);
    tokio::time::advance(Duration::from_secs(29)).await;
    assert!(refusal_message(&b).ends_with("retry after 1 s"));
    tokio::time::advance(Duration::from_secs(1)).await;
    assert_eq!(b.state(), BreakerState::HalfOpen);

    let probe = b.try_acquire().unwrap();
    assert!(probe.is_probe());
    // Only one probe at a time.
    assert!(refusal_message(&b).contains("probe request is in flight"));
    probe.finish(Outcome::Answered);
    assert_eq!(b.state(), BreakerState::Closed);
    assert!(!b.try_acquire().unwrap().is_probe());
}

#[tokio::test(start_paused = true)]
async fn a_failed_probe_opens_again_for_a_full_cool_down() {
    let b = breaker(2, 30);
    fail(&b, 2);
    tokio::time::advance(Duration::from_secs(31)).await;
    b.try_acquire().unwrap().finish(Outcome::Failed);
    assert_eq!(
        b.state(),
        BreakerState::Open {
            until: Instant::now() + Duration::from_secs(30)
        }
    );
}

#[tokio::test(start_paused = true)]
async fn a_cancelled_probe_lets_the_next_request_probe() {
    let b = breaker(1, 30);
    fail(&b, 1);
    tokio::time::advance(Duration::from_secs(30)).await;
    drop(b.try_acquire().unwrap());
    assert_eq!(b.state(), BreakerState::HalfOpen);
    let probe = b.try_acquire().unwrap();
    assert!(probe.is_probe());
    probe.finish(Outcome::Answered);
    assert_eq!(b.state(), BreakerState::Closed);
}

#[tokio::test(start_paused = true)]
async fn late_outcomes_of_requests_started_earlier_do_not_decide() {
    let b = breaker(1, 30);
    let early = b.try_acquire().unwrap();
    fail(&b, 1);
    tokio::time::advance(Duration::from_secs(30)).await;
    let probe = b.try_acquire().unwrap();
    early.finish(Outcome::Answered);
    assert_eq!(b.state(), BreakerState::HalfOpen);
    probe.finish(Outcome::Failed);
    assert!(matches!(b.state(), BreakerState::Open { .. }));
}
