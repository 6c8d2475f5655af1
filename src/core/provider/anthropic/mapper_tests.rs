//! Unit tests of the request building and the event → chat event mapping.

use super::*;
