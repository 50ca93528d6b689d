//! The error dialects: each contract words and shapes every [`Failure`] its own way. A route
//! names its dialect once, in its route row; the dispatcher renders through it.

use super::{Failure, HttpResponse};

/// The contract whose error shapes a route speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// Django REST framework (careers): `{"field": [..]}`, `{"detail": ..}`.
    Drf,
    /// Django REST framework with the accounts document's own `{"error": "User not found"}`.
    Accounts,
    /// The campaign app and backend: `{"error": code, "message": ..}`.
    Campaign,
    /// The chat server: `{"error": {"message": ..}, "status": N}`.
    Chat,
    /// Push (Slim PHP): `{"error": ".."}`.
    Push,
}

impl Dialect {
    /// The response a client of this contract gets for `failure`.
    pub fn render(self, failure: &Failure) -> HttpResponse {
        match self {
            Dialect::Drf => super::drf::render(failure),
            Dialect::Accounts => crate::contracts::accounts::render(failure),
            Dialect::Campaign => crate::contracts::campaign::render(failure),
            Dialect::Chat => crate::contracts::chat::render(failure),
            Dialect::Push => crate::contracts::push::render(failure),
        }
    }
}
