//! Each route's entry: what it takes and the type of its success body. The rows themselves
//! (method, path, contract) live in the functions' route tables; [`super::document`] joins the
//! two and reports any route without an entry.

use super::Kind::{Bool, DateTime, Email, Id, Ids, Integer, Object, Password, Text, Texts};
use super::{false_or, of, opt, req, Answer, Auth, Field, Named, Spec};
use crate::auth::tokens::Jwks;
use crate::contracts::{accounts, campaign, careers, chat, push};
use crate::http::drf;
use crate::http::routing::Method::{self, Delete, Get, Patch, Post, Put};
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;

type S = &'static str;

const fn spec(method: Method, path: S, summary: S, auth: Auth, ok: u16, answer: Answer) -> Spec {
    Spec {
        method,
        path,
        summary,
        auth,
        query: &[],
        body: None,
        ok,
        answer,
        tag: None,
        media: "application/json",
    }
}

impl Spec {
    const fn query(mut self, fields: &'static [Field]) -> Self {
        self.query = fields;
        self
    }

    const fn body(mut self, fields: &'static [Field]) -> Self {
        self.body = Some(fields);
        self
    }

    const fn service(mut self, media: S) -> Self {
        self.tag = Some("service");
        self.media = media;
        self
    }
}

use Auth::{Bearer, ChatApp, CounterApp, OptionalBearer, Public, PushApp};

type Push<T> = push::Envelope<T>;
type Chat<T> = chat::Envelope<T>;

/// The campaign stats: each key and its whole percentage.
fn percentages(_: &mut Named) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some(
            "Each key and its whole percentage; the values sum to 100 (or are all 0).",
        ))
        .additional_properties(Some(ObjectBuilder::new().schema_type(Type::Integer)))
        .into()
}

/// `{"result": <device>}` or `{"result": false}`.
fn device_lookup(named: &mut Named) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .property("result", false_or::<push::DeviceBody<'static>>(named))
        .required("result")
        .into()
}

/// A text body (the document itself, the docs page and its files).
fn text(_: &mut Named) -> RefOr<Schema> {
    ObjectBuilder::new().schema_type(Type::String).into()
}

const PAGE: &[Field] = &[opt("page", Id)];
const PAGE_LIMIT: &[Field] = &[opt("page", Id), opt("limit", Id)];
const CHAT_USER: &[Field] = &[req("user_id", Text)];
const CHAT_USERS: &[Field] = &[req("user_ids", Texts)];
const WINDOW: [Field; 2] = [req("start_time", Text), req("end_time", Text)];
const TOPIC_NAME: &[Field] = &[req("name", Text)];
const OPTION: &[Field] = &[req("option", Integer)];

pub const SPECS: &[Spec] = &[
    // careers
    spec(
        Post,
        "/careers/users/register",
        "Sign up and get a token pair",
        Public,
        201,
        of::<careers::Session<'static, careers::RegisteredUser<'static>>>,
    )
    .body(&[
        req("username", Text),
        req("email", Email),
        req("password", Password),
        req("password_confirm", Password),
        opt("first_name", Text),
        opt("last_name", Text),
        opt("bio", Text),
    ]),
    spec(
        Post,
        "/careers/users/login",
        "Sign in with a username (or e-mail) and password",
        Public,
        200,
        of::<careers::Session<'static, careers::SignedInUser<'static>>>,
    )
    .body(&[
        opt("username", Text),
        opt("email", Text),
        req("password", Password),
    ]),
    spec(
        Post,
        "/careers/users/token/refresh",
        "Trade a refresh token for a new pair",
        Public,
        200,
        of::<careers::Refreshed<'static>>,
    )
    .body(&[req("refresh", Text)]),
    spec(
        Post,
        "/careers/users/logout",
        "Sign out (and revoke the refresh token given)",
        Bearer,
        200,
        of::<drf::Detail<'static>>,
    )
    .body(&[opt("refresh", Text)]),
    spec(
        Get,
        "/careers/users/me",
        "The caller's own profile",
        Bearer,
        200,
        of::<careers::Me<'static>>,
    ),
    spec(
        Get,
        "/careers/users",
        "The user directory, in batches",
        OptionalBearer,
        200,
        of::<careers::Listed<'static>>,
    )
    .query(&[
        opt("batch_size", Id),
        opt("batch_number", Id),
        opt("search", Text),
        opt("first_name", Text),
        opt("last_name", Text),
        opt("ordering", Text),
        opt("cursor", Text),
    ]),
    spec(
        Get,
        "/careers/users/{username}",
        "A user's public profile",
        Public,
        200,
        of::<careers::PublicProfile<'static>>,
    ),
    spec(
        Get,
        "/careers/users/me/stats",
        "The caller's counters",
        Bearer,
        200,
        of::<careers::Stats>,
    ),
    spec(
        Get,
        "/careers/users/{username}/stats",
        "A user's counters",
        Public,
        200,
        of::<careers::Stats>,
    ),
    spec(
        Patch,
        "/careers/users/me/update",
        "Change the caller's profile",
        Bearer,
        200,
        of::<careers::Updated<'static>>,
    )
    .body(&[
        opt("username", Text),
        opt("email", Email),
        opt("bio", Text),
        opt("avatar", Text),
    ]),
    spec(
        Post,
        "/careers/users/follow",
        "Follow a user (by id in `following`, or by `username`)",
        Bearer,
        201,
        of::<careers::Follow<'static>>,
    )
    .body(&[opt("following", Id), opt("username", Text)]),
    spec(
        Delete,
        "/careers/users/{username}/unfollow",
        "Stop following a user",
        Bearer,
        200,
        of::<careers::Unfollowed>,
    ),
    spec(
        Get,
        "/careers/users/following",
        "Whom the caller follows",
        Bearer,
        200,
        of::<careers::Page<careers::Follow<'static>>>,
    )
    .query(PAGE),
    spec(
        Get,
        "/careers/users/{username}/followers",
        "A user's followers",
        OptionalBearer,
        200,
        of::<careers::Page<careers::Person<'static>>>,
    )
    .query(PAGE),
    spec(
        Get,
        "/careers/users/{username}/following",
        "Whom a user follows",
        OptionalBearer,
        200,
        of::<careers::Page<careers::Person<'static>>>,
    )
    .query(PAGE),
    // accounts
    spec(
        Post,
        "/api/v1/accounts/users",
        "Sign up; a verification code is e-mailed",
        Public,
        201,
        of::<accounts::Msg<'static>>,
    )
    .body(&[
        req("email", Email),
        req("password", Password),
        req("confirm_password", Password),
        opt("first_name", Text),
        opt("last_name", Text),
        opt("phone", Text),
        opt("gender", Text),
        opt("country", Text),
    ]),
    spec(
        Post,
        "/api/v1/accounts/users/verify",
        "Verify an e-mail address with its code",
        Public,
        200,
        of::<accounts::Msg<'static>>,
    )
    .body(&[req("email", Email), req("code", Text)]),
    spec(
        Post,
        "/api/v1/accounts/users/resend-code",
        "Send a new verification code",
        Public,
        200,
        of::<accounts::Msg<'static>>,
    )
    .body(&[req("email", Email)]),
    spec(
        Get,
        "/api/v1/accounts/users/{pk}",
        "A user's account (its owner or staff)",
        Bearer,
        200,
        of::<accounts::Detail<'static>>,
    ),
    spec(
        Patch,
        "/api/v1/accounts/users/{pk}",
        "Change an account (its owner or staff)",
        Bearer,
        200,
        of::<accounts::Created<'static>>,
    )
    .body(&[
        opt("email", Email),
        opt("first_name", Text),
        opt("last_name", Text),
        opt("phone", Text),
        opt("gender", Text),
        opt("country", Text),
        opt("photo", Text),
        opt("address", Text),
        opt("birthday", Text),
    ]),
    // campaign
    spec(
        Post,
        "/api/action/register",
        "Sign up",
        Public,
        201,
        of::<campaign::Success>,
    )
    .body(&[
        req("username", Text),
        req("email", Email),
        req("password", Password),
        opt("first_name", Text),
        opt("last_name", Text),
        opt("country", Id),
        opt("city", Id),
    ]),
    spec(
        Post,
        "/api/action/logout",
        "Sign out everywhere the token is used",
        Bearer,
        200,
        of::<campaign::Success>,
    ),
    spec(
        Post,
        "/api/check/auth",
        "Whether the caller is signed in",
        OptionalBearer,
        200,
        of::<campaign::AuthState<'static>>,
    ),
    spec(
        Post,
        "/api/check/validate",
        "Check credentials, or whether the caller is signed in",
        OptionalBearer,
        200,
        of::<campaign::ValidateAnswer>,
    )
    .body(&[opt("username", Text), opt("password", Password)]),
    spec(
        Post,
        "/api/check/email",
        "Whether an e-mail address is taken",
        OptionalBearer,
        200,
        of::<campaign::EmailCheckBody>,
    )
    .body(&[req("email", Email)]),
    spec(
        Post,
        "/api/check/login",
        "The caller's sign-in state",
        OptionalBearer,
        200,
        of::<campaign::BackendLoginState>,
    ),
    spec(
        Post,
        "/api/update/profile",
        "Change the caller's phone, e-mail, country or city",
        Bearer,
        200,
        of::<campaign::Success>,
    )
    .body(&[
        opt("phone", Text),
        opt("email", Email),
        opt("country", Id),
        opt("city", Id),
    ]),
    spec(
        Post,
        "/api/user/counters",
        "Add to a user's counters, once per request id",
        CounterApp,
        200,
        of::<campaign::CountersUpdated>,
    )
    .body(&[
        req("request_id", Text),
        req("user_id", Id),
        req("changes", Object),
    ]),
    spec(
        Post,
        "/api/user/status/ban",
        "Ban or unban a user (staff)",
        Bearer,
        200,
        of::<campaign::Success>,
    )
    .body(&[
        req("user_id", Id),
        req("banned", Bool),
        opt("reason", Text),
        opt("until", DateTime),
    ]),
    spec(
        Post,
        "/api/user/status",
        "A user's standing (staff)",
        Bearer,
        200,
        of::<campaign::StatusBody>,
    )
    .body(&[req("user_id", Id)]),
    spec(
        Post,
        "/api/user/force-logout",
        "End every session of a user (staff)",
        Bearer,
        200,
        of::<campaign::Success>,
    )
    .body(&[req("user_id", Id), opt("reason", Text)]),
    spec(
        Post,
        "/api/users/stats/sex",
        "Users by sex, in whole percentages (staff)",
        Bearer,
        200,
        percentages,
    ),
    spec(
        Post,
        "/api/users/stats/age",
        "Users by age group, in whole percentages (staff)",
        Bearer,
        200,
        percentages,
    ),
    spec(
        Post,
        "/api/users/stats/preferences",
        "Users by preferred category, in whole percentages (staff)",
        Bearer,
        200,
        percentages,
    ),
    spec(
        Post,
        "/api/get/notifications/history",
        "The caller's notifications, newest first",
        Bearer,
        200,
        of::<campaign::HistoryBody<'static>>,
    )
    .body(&[opt("page", Id), opt("limit", Id)]),
    spec(
        Post,
        "/api/update/notifications/read",
        "Mark notifications read (`ids`, or `all`)",
        Bearer,
        200,
        of::<campaign::Marked>,
    )
    .body(&[opt("ids", Ids), opt("all", Bool)]),
    spec(
        Post,
        "/api/user/notification",
        "Send a user a notification (staff)",
        Bearer,
        200,
        of::<campaign::Success>,
    )
    .body(&[
        req("user_id", Id),
        req("title", Text),
        req("message", Text),
        opt("type", Text),
        opt("data", Object),
    ]),
    spec(
        Post,
        "/api/get/preferences",
        "The caller's categories, networks, language and privacy",
        Bearer,
        200,
        of::<campaign::PreferencesBody>,
    ),
    spec(
        Post,
        "/api/update/preferences",
        "Change the caller's categories, networks, language or privacy",
        Bearer,
        200,
        of::<campaign::Success>,
    )
    .body(&[
        opt("categories", Texts),
        opt("networks", Texts),
        opt("language", Text),
        opt("privacy_settings", Object),
    ]),
    spec(
        Post,
        "/api/update/language",
        "Change the caller's language",
        Bearer,
        200,
        of::<campaign::Success>,
    )
    .body(&[req("language", Text)]),
    spec(
        Post,
        "/api/get/notifications",
        "The caller's notification settings",
        Bearer,
        200,
        of::<campaign::NotificationsBody>,
    ),
    spec(
        Post,
        "/api/update/notifications",
        "Turn notification codes on or off",
        Bearer,
        200,
        of::<campaign::Success>,
    )
    .body(&[
        opt("new_campaign", Bool),
        opt("campaign_update", Bool),
        opt("campaign_reminder", Bool),
        opt("payment", Bool),
        opt("message", Bool),
        opt("review", Bool),
        opt("newsletter", Bool),
    ]),
    // chat
    spec(
        Post,
        "/api/v2.1/rest/login_or_register",
        "Sign a chat user in, or register it",
        ChatApp,
        200,
        of::<Chat<chat::UserResults<'static>>>,
    )
    .body(&[
        req("user_id", Text),
        req("username", Text),
        opt("password", Password),
        opt("avatar_url", Text),
        opt("extras", Object),
    ]),
    spec(
        Get,
        "/api/v2.1/rest/get_user_token",
        "A chat user's token",
        ChatApp,
        200,
        of::<Chat<chat::TokenResults<'static>>>,
    )
    .query(CHAT_USER),
    spec(
        Post,
        "/api/v2.1/rest/reset_user_token",
        "Replace a chat user's token",
        ChatApp,
        200,
        of::<Chat<chat::TokenResults<'static>>>,
    )
    .body(CHAT_USER),
    spec(
        Get,
        "/api/v2.1/rest/user_profile",
        "A chat user's profile",
        ChatApp,
        200,
        of::<Chat<chat::UserResults<'static>>>,
    )
    .query(CHAT_USER),
    spec(
        Get,
        "/api/v2.1/rest/get_user_list",
        "The app's users, a page at a time",
        ChatApp,
        200,
        of::<Chat<chat::UserList<'static>>>,
    )
    .query(&[opt("page", Id), opt("limit", Id), opt("order_query", Text)]),
    spec(
        Delete,
        "/api/v2.1/rest/deactivate_users",
        "Deactivate chat users",
        ChatApp,
        200,
        of::<Chat<chat::MessageResults>>,
    )
    .body(CHAT_USERS),
    spec(
        Post,
        "/api/v2.1/rest/reactivate_users",
        "Reactivate chat users",
        ChatApp,
        200,
        of::<Chat<chat::MessageResults>>,
    )
    .body(CHAT_USERS),
    spec(
        Get,
        "/api/v2.1/rest/get_unread_users",
        "Users with unread notifications in a window",
        ChatApp,
        200,
        of::<Chat<chat::UnreadUsers>>,
    )
    .query(&[WINDOW[0], WINDOW[1], opt("page", Id), opt("limit", Id)]),
    spec(
        Get,
        "/api/v2.1/rest/get_user_unread_count",
        "Unread notifications of given users in a window",
        ChatApp,
        200,
        of::<Chat<chat::UnreadCounts>>,
    )
    .query(&[req("user_ids[]", Texts), WINDOW[0], WINDOW[1]]),
    // push
    spec(
        Post,
        "/user",
        "Create a user",
        PushApp,
        200,
        of::<Push<push::PushUser<'static>>>,
    )
    .body(&[req("email", Email)]),
    spec(
        Get,
        "/user/{id}",
        "A user and its devices",
        PushApp,
        200,
        of::<Push<push::PushUser<'static>>>,
    ),
    spec(
        Delete,
        "/user/{id}",
        "Delete a user",
        PushApp,
        200,
        of::<Push<bool>>,
    ),
    spec(
        Post,
        "/users",
        "Create users in bulk",
        PushApp,
        200,
        of::<push::BulkBody<'static>>,
    )
    .body(&[req("emails", Text)]),
    spec(
        Get,
        "/users",
        "Users, a page at a time",
        PushApp,
        200,
        of::<Push<push::UserList<'static>>>,
    )
    .query(PAGE_LIMIT),
    spec(
        Post,
        "/user/{id}/device",
        "Add devices to a user",
        PushApp,
        200,
        of::<Push<push::PushUser<'static>>>,
    )
    .body(&[
        opt("email", Text),
        opt("android", Text),
        opt("ios", Text),
        opt("type", Text),
        opt("reference", Text),
    ]),
    spec(
        Get,
        "/user/{id}/device",
        "A user's device by its reference, or false",
        PushApp,
        200,
        device_lookup,
    )
    .query(&[req("reference", Text)]),
    spec(
        Get,
        "/user/{id}/device/{idDevice}",
        "A user's device",
        PushApp,
        200,
        of::<Push<push::DeviceBody<'static>>>,
    ),
    spec(
        Delete,
        "/user/{id}/device/{idDevice}",
        "Delete a user's device",
        PushApp,
        200,
        of::<Push<bool>>,
    ),
    spec(
        Delete,
        "/user/{id}/device/type/{type}",
        "Delete a user's devices of one kind",
        PushApp,
        200,
        of::<Push<bool>>,
    ),
    spec(
        Get,
        "/user/{id}/smartphones",
        "The smartphone kinds a user has",
        PushApp,
        200,
        of::<Push<Vec<String>>>,
    ),
    spec(
        Post,
        "/channel",
        "Create a channel",
        PushApp,
        200,
        of::<Push<push::ChannelBody<'static>>>,
    )
    .body(TOPIC_NAME),
    spec(
        Get,
        "/channel/{id}",
        "A channel",
        PushApp,
        200,
        of::<Push<push::ChannelBody<'static>>>,
    ),
    spec(
        Put,
        "/channel/{id}",
        "Rename a channel",
        PushApp,
        200,
        of::<Push<push::ChannelBody<'static>>>,
    )
    .body(TOPIC_NAME),
    spec(
        Delete,
        "/channel/{id}",
        "Delete a channel",
        PushApp,
        200,
        of::<Push<bool>>,
    ),
    spec(
        Get,
        "/channels",
        "Channels, a page at a time",
        PushApp,
        200,
        of::<Push<push::ChannelList<'static>>>,
    )
    .query(PAGE_LIMIT),
    spec(
        Get,
        "/channel_name",
        "A channel by its name",
        PushApp,
        200,
        of::<Push<push::ChannelBody<'static>>>,
    )
    .query(TOPIC_NAME),
    spec(
        Post,
        "/theme",
        "Create a theme",
        PushApp,
        200,
        of::<Push<push::ThemeBody<'static>>>,
    )
    .body(&[req("name", Text), req("range", Text)]),
    spec(
        Get,
        "/theme/{id}",
        "A theme",
        PushApp,
        200,
        of::<Push<push::ThemeBody<'static>>>,
    ),
    spec(
        Put,
        "/theme/{id}",
        "Change a theme's name or range",
        PushApp,
        200,
        of::<Push<push::ThemeBody<'static>>>,
    )
    .body(&[opt("name", Text), opt("range", Text)]),
    spec(
        Delete,
        "/theme/{id}",
        "Delete a theme",
        PushApp,
        200,
        of::<Push<bool>>,
    ),
    spec(
        Get,
        "/themes",
        "Themes, a page at a time",
        PushApp,
        200,
        of::<Push<push::ThemeList<'static>>>,
    )
    .query(PAGE_LIMIT),
    spec(
        Get,
        "/themes/range/{range}",
        "Themes of one range",
        PushApp,
        200,
        of::<Push<push::ThemeList<'static>>>,
    )
    .query(PAGE_LIMIT),
    spec(
        Get,
        "/theme_name",
        "A theme by its name",
        PushApp,
        200,
        of::<Push<push::ThemeBody<'static>>>,
    )
    .query(TOPIC_NAME),
    spec(
        Post,
        "/user/{id}/subscribe/{idchannel}",
        "Subscribe a user to a channel",
        PushApp,
        200,
        of::<Push<push::SubscriptionBody>>,
    ),
    spec(
        Get,
        "/user/{id}/subscribed/{idchannel}",
        "A user's subscription to a channel",
        PushApp,
        200,
        of::<Push<push::SubscriptionBody>>,
    ),
    spec(
        Delete,
        "/user/{id}/subscribed/{idchannel}",
        "Unsubscribe a user from a channel",
        PushApp,
        200,
        of::<Push<push::SubscriptionBody>>,
    ),
    spec(
        Get,
        "/user/{id}/subscribed",
        "A user's subscriptions",
        PushApp,
        200,
        of::<Push<Vec<push::SubscriptionBody>>>,
    ),
    spec(
        Post,
        "/user/{id}/preference/{idtheme}",
        "Set a user's preference for a theme",
        PushApp,
        200,
        of::<Push<push::PreferenceBody>>,
    )
    .body(OPTION),
    spec(
        Get,
        "/user/{id}/preference/{idtheme}",
        "A user's preference for a theme",
        PushApp,
        200,
        of::<Push<push::PreferenceBody>>,
    ),
    spec(
        Put,
        "/user/{id}/preference/{idtheme}",
        "Change a user's preference for a theme",
        PushApp,
        200,
        of::<Push<bool>>,
    )
    .body(OPTION),
    spec(
        Delete,
        "/user/{id}/preference/{idtheme}",
        "Delete a user's preference for a theme",
        PushApp,
        200,
        of::<Push<bool>>,
    ),
    spec(
        Get,
        "/user/{id}/preferences",
        "A user's preferences, a page at a time",
        PushApp,
        200,
        of::<Push<push::PreferenceList>>,
    )
    .query(PAGE_LIMIT),
    spec(
        Put,
        "/user/{id}/preferences",
        "Set every preference of a user",
        PushApp,
        200,
        of::<Push<bool>>,
    )
    .body(OPTION),
    spec(
        Post,
        "/send",
        "Send a notification of a theme (to a user, a channel's subscribers or everyone)",
        PushApp,
        200,
        of::<Push<bool>>,
    )
    .body(&[
        req("theme", Text),
        req("message", Text),
        opt("subject", Text),
        opt("user_id", Id),
        opt("channel", Text),
    ]),
    // the service's own
    spec(
        Get,
        "/.well-known/jwks.json",
        "The public key set tokens are verified with",
        Public,
        200,
        of::<Jwks<'static>>,
    )
    .service("application/json"),
    spec(
        Get,
        "/openapi.json",
        "This document",
        Public,
        200,
        super::free_object,
    )
    .service("application/json"),
    spec(
        Get,
        "/docs",
        "The page that shows this document",
        Public,
        200,
        text,
    )
    .service("text/html"),
    spec(
        Get,
        "/docs/{file}",
        "A file of the docs page (scripts, styles)",
        Public,
        200,
        text,
    )
    .service("application/octet-stream"),
];
