//! What a handler is given: the request, its path parameters, and the readings every contract
//! needs of them (body, query, bearer token, client address, app credentials, the caller).

use super::body::{self, BodyError, Fields};
use super::query::Query;
use super::routing::PathParams;
use super::Request;
use crate::domain::UserId;
use crate::lambda::Sessions;
use crate::service::apps::{self, App};
use crate::service::sessions::{self, Caller};
use crate::service::ServiceError;
use crate::store::Store;

/// The headers a server-to-server contract carries its app id and secret in (first found wins).
#[derive(Debug, Clone, Copy)]
pub struct AppHeaders {
    pub id: &'static [&'static str],
    pub secret: &'static [&'static str],
    /// Whether the secret header may hold the push client's daily token instead of the secret.
    pub daily_token: bool,
}

impl AppHeaders {
    /// The app id and secret the request carries, each if present.
    pub fn read<'r>(&self, request: &'r Request) -> (Option<&'r str>, Option<&'r str>) {
        (
            super::header(request, self.id),
            super::header(request, self.secret),
        )
    }
}

/// One request, as its handler sees it.
#[derive(Clone, Copy)]
pub struct Call<'a> {
    pub request: &'a Request,
    pub params: &'a PathParams,
}

impl<'a> Call<'a> {
    /// The body's fields (JSON or form).
    pub fn body(&self) -> Result<Fields, BodyError> {
        body::parse(self.request)
    }

    pub fn query(&self) -> Query {
        Query::of(self.request)
    }

    /// A `{name}` segment of the path. The route declares it, so it is always there; a
    /// mismatch between a row and its handler is answered as not found.
    pub fn param(&self, name: &str) -> Result<&'a str, ServiceError> {
        self.params.get(name).ok_or(ServiceError::NotFound)
    }

    /// A `{name}` segment that holds a user id; anything but a positive number names no user.
    pub fn user_id(&self, name: &str) -> Result<UserId, ServiceError> {
        UserId::parse(self.param(name)?).map_err(|_| ServiceError::NotFound)
    }

    pub fn bearer(&self) -> Option<&'a str> {
        super::bearer_token(self.request)
    }

    pub fn client_address(&self) -> String {
        super::client_address(self.request)
    }

    /// The signed-in caller; no or a bad token is refused.
    pub async fn caller(&self, sessions: &Sessions) -> Result<Caller, ServiceError> {
        sessions::authenticate(&sessions.store, &sessions.verifier, self.bearer()).await
    }

    /// The caller if the request carries a bearer token, which must then be valid.
    pub async fn caller_if_token(
        &self,
        sessions: &Sessions,
    ) -> Result<Option<sessions::Viewer>, ServiceError> {
        sessions::caller_if_token(&sessions.store, &sessions.verifier, self.bearer()).await
    }

    /// The caller if a valid token is sent; a missing or bad token is no caller.
    pub async fn optional_caller(
        &self,
        sessions: &Sessions,
    ) -> Result<Option<Caller>, ServiceError> {
        sessions::optional_caller(&sessions.store, &sessions.verifier, self.bearer()).await
    }

    /// The app whose credentials the request carries in the headers its contract names.
    pub async fn app(&self, store: &Store, headers: &AppHeaders) -> Result<App, ServiceError> {
        let (id, secret) = headers.read(self.request);
        apps::authenticate(store, id, secret, headers.daily_token).await
    }
}
