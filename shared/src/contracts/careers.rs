//! The careers contract (`/careers/users/...`): Django REST framework with simplejwt.

use crate::domain::{Avatar, Bio, NewUser, Password, PersonName, User, Username};
use crate::domain::{UserCard, UserId, UserSummary};
use crate::http::body::Fields;
use crate::http::drf::Detail;
use crate::http::Query;
use crate::service::directory::{ListQuery, Listing, DEFAULT_BATCH, MAX_BATCH};
use crate::service::profiles::ProfileChanges;
use crate::service::sessions::{LoginName, Tokens};
use crate::service::social::FollowTarget;
use crate::service::{FieldErrors, ServiceError};
use crate::store::{DirectoryOrder, FollowEdge};
use serde::Serialize;
use serde_json::Value;

/// `POST /careers/users/register/`: every field checked, every problem reported at once.
pub fn new_user(fields: &Fields) -> Result<NewUser, ServiceError> {
    let mut errors = FieldErrors::default();
    fields.refuse_protected(&mut errors);
    let username = fields.required_value("username", &mut errors, Username::parse);
    let email = fields.required_email("email", &mut errors);
    let password = fields.new_password("password", "password_confirm", &mut errors);
    let first_name = fields.optional_value("first_name", &mut errors, PersonName::parse);
    let last_name = fields.optional_value("last_name", &mut errors, PersonName::parse);
    let bio = fields.optional_value("bio", &mut errors, Bio::parse);

    match (username, email, password, first_name, last_name, bio) {
        (
            Some(username),
            Some(email),
            Some(password),
            Some(first_name),
            Some(last_name),
            Some(bio),
        ) if errors.is_empty() => Ok(NewUser {
            username,
            email,
            password,
            first_name,
            last_name,
            bio,
        }),
        _ => Err(ServiceError::Invalid(errors)),
    }
}

/// `POST /careers/users/login/`: `username` (or `email`) and `password`.
pub fn login(fields: &Fields) -> Result<(LoginName, Password), ServiceError> {
    let mut errors = FieldErrors::default();
    let name = if fields.contains("username") || !fields.contains("email") {
        fields
            .required_text("username", true, &mut errors)
            .map(LoginName::Username)
    } else {
        fields
            .required_text("email", true, &mut errors)
            .map(LoginName::Email)
    };
    let password = fields.required_password("password", &mut errors, Password::parse_attempt);
    match (name, password) {
        (Some(name), Some(password)) if errors.is_empty() => Ok((name, password)),
        _ => Err(ServiceError::Invalid(errors)),
    }
}

/// `refresh` of the token refresh body: required.
pub fn refresh_token(fields: &Fields) -> Result<String, ServiceError> {
    let mut errors = FieldErrors::default();
    fields
        .required_text("refresh", true, &mut errors)
        .ok_or(ServiceError::Invalid(errors))
}

/// `refresh` of the logout body: optional, but not blank or of the wrong type if given.
pub fn optional_refresh_token(fields: &Fields) -> Result<Option<String>, ServiceError> {
    if fields.contains("refresh") {
        refresh_token(fields).map(Some)
    } else {
        Ok(None)
    }
}

/// Who a user is, as every careers body starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Identity<'a> {
    pub id: u64,
    pub username: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
}

impl<'a> Identity<'a> {
    fn of(user: &'a User) -> Self {
        Self {
            id: user.id.get(),
            username: user.username.as_str(),
            first_name: user.first_name.as_str(),
            last_name: user.last_name.as_str(),
        }
    }
}

/// The counters a profile shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Counts {
    pub posts_count: u64,
    pub followers_count: u64,
    pub following_count: u64,
}

impl Counts {
    fn of(user: &User) -> Self {
        Self {
            posts_count: user.posts_count,
            followers_count: user.followers_count,
            following_count: user.following_count,
        }
    }
}

/// The user of a sign-up reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RegisteredUser<'a> {
    #[serde(flatten)]
    pub identity: Identity<'a>,
    pub email: &'a str,
    pub bio: &'a str,
    pub created_at: String,
}

/// The user of a sign-in reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SignedInUser<'a> {
    #[serde(flatten)]
    pub identity: Identity<'a>,
    pub email: &'a str,
}

/// A user and a token pair: the body of a sign-up (201) and of a sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Session<'a, U> {
    #[schema(inline)]
    pub user: U,
    pub access: &'a str,
    pub refresh: &'a str,
}

/// The 201 body of a sign-up.
pub fn registered<'a>(user: &'a User, tokens: &'a Tokens) -> Session<'a, RegisteredUser<'a>> {
    Session {
        user: RegisteredUser {
            identity: Identity::of(user),
            email: user.email_text(),
            bio: user.bio.as_str(),
            created_at: user.created_at.to_rfc3339(),
        },
        access: &tokens.access,
        refresh: tokens.refresh.expose(),
    }
}

/// The 200 body of a sign-in.
pub fn logged_in<'a>(user: &'a User, tokens: &'a Tokens) -> Session<'a, SignedInUser<'a>> {
    Session {
        user: SignedInUser {
            identity: Identity::of(user),
            email: user.email_text(),
        },
        access: &tokens.access,
        refresh: tokens.refresh.expose(),
    }
}

/// The 200 body of a token refresh: the new access token and the rotated refresh token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Refreshed<'a> {
    pub access: &'a str,
    pub refresh: &'a str,
}

pub fn refreshed(tokens: &Tokens) -> Refreshed<'_> {
    Refreshed {
        access: &tokens.access,
        refresh: tokens.refresh.expose(),
    }
}

/// `POST /careers/users/logout/`.
pub fn logged_out() -> Detail<'static> {
    Detail::new("Successfully logged out.")
}

/// What the owner of a profile sees of it: who they are, their e-mail, bio and avatar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct OwnProfile<'a> {
    #[serde(flatten)]
    pub identity: Identity<'a>,
    pub email: &'a str,
    pub bio: &'a str,
    pub avatar: &'a str,
}

impl<'a> OwnProfile<'a> {
    fn of(user: &'a User) -> Self {
        Self {
            identity: Identity::of(user),
            email: user.email_text(),
            bio: user.bio.as_str(),
            avatar: user.avatar.as_str(),
        }
    }
}

/// `GET /careers/users/me/`: the caller's own profile, e-mail included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Me<'a> {
    #[serde(flatten)]
    pub profile: OwnProfile<'a>,
    pub created_at: String,
    pub updated_at: String,
    #[serde(flatten)]
    pub counts: Counts,
}

pub fn me(user: &User) -> Me<'_> {
    Me {
        profile: OwnProfile::of(user),
        created_at: user.created_at.to_rfc3339(),
        updated_at: user.updated_at.to_rfc3339(),
        counts: Counts::of(user),
    }
}

// --- directory, profiles, follows ---------------------------------------------------------

/// A page or batch number of the query: `default` when absent or blank, DRF's message under
/// `name` when it is not a number.
fn number(query: &Query, name: &str, default: usize, errors: &mut FieldErrors) -> usize {
    query.number(name).map_or_else(
        |_| {
            errors.add(name, "A valid integer is required.");
            default
        },
        |value| value.unwrap_or(default),
    )
}

/// The fewest characters (after trimming) a `search`, `first_name` or `last_name` filter may
/// have; a blank one is no filter.
pub const MIN_FILTER_CHARS: usize = 2;

/// `GET /careers/users/?search=&first_name=&last_name=&ordering=&batch_size=&batch_number=`,
/// and `cursor=` to continue a filtered list that stopped at the scan cap.
pub fn list_query(query: &Query) -> Result<(ListQuery, usize, usize), ServiceError> {
    let mut errors = FieldErrors::default();
    let batch_size = number(query, "batch_size", DEFAULT_BATCH, &mut errors);
    if !(1..=MAX_BATCH).contains(&batch_size) {
        errors.add(
            "batch_size",
            format!("Ensure this value is between 1 and {MAX_BATCH}."),
        );
    }
    let batch_number = number(query, "batch_number", 0, &mut errors);
    for name in ["search", "first_name", "last_name"] {
        let filter = query.get(name).unwrap_or_default().trim();
        if (1..MIN_FILTER_CHARS).contains(&filter.chars().count()) {
            errors.add(
                name,
                format!("Ensure this field has at least {MIN_FILTER_CHARS} characters."),
            );
        }
    }
    let ordering = query.get("ordering").unwrap_or_default().trim();
    let (descending, field) = match ordering.strip_prefix('-') {
        Some(field) => (true, field),
        None => (false, ordering),
    };
    let order = match field {
        "" | "created_at" => DirectoryOrder::SignUp,
        "username" => DirectoryOrder::Username,
        "first_name" => DirectoryOrder::FirstName,
        "last_name" => DirectoryOrder::LastName,
        other => {
            errors.add("ordering", format!("\"{other}\" is not an allowed ordering: username, created_at, first_name, last_name."));
            DirectoryOrder::SignUp
        }
    };
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    let text = |name: &str| query.get(name).map(str::to_owned);
    let list = ListQuery {
        search: text("search"),
        first_name: text("first_name"),
        last_name: text("last_name"),
        order,
        descending,
        skip: crate::service::paging::batch_skip(batch_number, batch_size),
        take: batch_size,
        cursor: text("cursor"),
    };
    Ok((list, batch_size, batch_number))
}

/// A user in a list, and whether the caller follows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Person<'a> {
    pub id: u64,
    pub username: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub avatar: &'a str,
    pub is_following: bool,
}

/// The users a list shows: whole summaries (a user's followers or follows) or directory
/// cards (the directory).
trait Shown {
    fn person(&self, is_following: bool) -> Person<'_>;
}

/// A [`Person`] of any value with the fields of one.
macro_rules! person_of {
    ($user:expr, $is_following:expr) => {
        Person {
            id: $user.id.get(),
            username: $user.username.as_str(),
            first_name: $user.first_name.as_str(),
            last_name: $user.last_name.as_str(),
            avatar: $user.avatar.as_str(),
            is_following: $is_following,
        }
    };
}

impl Shown for UserSummary {
    fn person(&self, is_following: bool) -> Person<'_> {
        person_of!(self, is_following)
    }
}

impl Shown for UserCard {
    fn person(&self, is_following: bool) -> Person<'_> {
        person_of!(self, is_following)
    }
}

fn people_of<U: Shown>(users: &[(U, bool)]) -> Vec<Person<'_>> {
    users
        .iter()
        .map(|(u, follows)| u.person(*follows))
        .collect()
}

/// `GET /careers/users/`: one batch of the directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Listed<'a> {
    pub message: &'static str,
    pub batch_info: BatchInfo,
    pub users: Vec<Person<'a>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct BatchInfo {
    pub current_batch: usize,
    pub batch_size: usize,
    pub total_users: u64,
    pub total_batches: u64,
    pub users_in_current_batch: usize,
    /// Filtered lists only: whether every index entry was examined (then `total_users` is
    /// exact); otherwise it counts the matches among the entries examined so far.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub complete: Option<bool>,
    /// Filtered lists only: the cursor to continue from (`?cursor=`), `null` when complete.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<Option<String>>,
}

pub fn listing(listing: &Listing, batch_size: usize, batch_number: usize) -> Listed<'_> {
    Listed {
        message: "Users retrieved successfully",
        batch_info: BatchInfo {
            current_batch: batch_number,
            batch_size,
            total_users: listing.total,
            total_batches: crate::service::paging::page_count(listing.total, batch_size),
            users_in_current_batch: listing.users.len(),
            complete: listing.next.as_ref().map(Option::is_none),
            next: listing.next.clone(),
        },
        users: people_of(&listing.users),
    }
}

/// `GET /careers/users/{username}/`: public, no e-mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PublicProfile<'a> {
    #[serde(flatten)]
    pub identity: Identity<'a>,
    pub bio: &'a str,
    pub avatar: &'a str,
    pub created_at: String,
    #[serde(flatten)]
    pub counts: Counts,
}

pub fn public_profile(user: &User) -> PublicProfile<'_> {
    PublicProfile {
        identity: Identity::of(user),
        bio: user.bio.as_str(),
        avatar: user.avatar.as_str(),
        created_at: user.created_at.to_rfc3339(),
        counts: Counts::of(user),
    }
}

/// `GET /careers/users/{username}/stats/` and `me/stats/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Stats {
    #[serde(flatten)]
    pub counts: Counts,
    pub likes_received: u64,
    pub comments_received: u64,
}

pub fn stats(user: &User) -> Stats {
    Stats {
        counts: Counts::of(user),
        likes_received: user.likes_received,
        comments_received: user.comments_received,
    }
}

/// A follow, as `POST follow/` answers it and `me/following/` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Follow<'a> {
    pub id: u64,
    pub follower: u64,
    pub following: u64,
    pub follower_username: &'a str,
    pub following_username: &'a str,
    pub created_at: String,
}

pub fn follow_edge(edge: &FollowEdge) -> Follow<'_> {
    Follow {
        id: edge.follow_id,
        follower: edge.follower.get(),
        following: edge.following.get(),
        follower_username: edge.follower_username.as_str(),
        following_username: edge.following_username.as_str(),
        created_at: edge.created_at.to_rfc3339(),
    }
}

/// DRF's page-number pagination: `{"count", "results"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub count: u64,
    #[schema(inline)]
    pub results: Vec<T>,
}

/// `GET me/following/`.
pub fn follow_page(count: u64, edges: &[FollowEdge]) -> Page<Follow<'_>> {
    Page {
        count,
        results: edges.iter().map(follow_edge).collect(),
    }
}

/// `GET {username}/followers/` and `{username}/following/`.
pub fn people_page(count: u64, people: &[(UserSummary, bool)]) -> Page<Person<'_>> {
    Page {
        count,
        results: people_of(people),
    }
}

/// `DELETE {username}/unfollow/`: as the careers original answers it.
pub fn unfollowed(username: &str) -> Unfollowed {
    Unfollowed {
        message: format!("stopped following {username}"),
    }
}

/// `{"message": "stopped following <username>"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Unfollowed {
    pub message: String,
}

/// `POST /careers/users/follow/`: `{"following": <user id>}` as the careers original takes it
/// (a number, or its decimal text in a form), or `{"username": ...}`.
pub fn follow_target(fields: &Fields) -> Result<FollowTarget, ServiceError> {
    let mut errors = FieldErrors::default();
    let target = match fields.get("following") {
        Some(value) => follow_id(value, &mut errors),
        None if fields.contains("username") => fields
            .required_text("username", true, &mut errors)
            .map(FollowTarget::Username),
        None => {
            errors.add("following", "This field is required.");
            None
        }
    };
    errors.finish(target)
}

/// A DRF primary-key field: a positive number names a user; other numbers name none.
fn follow_id(value: &Value, errors: &mut FieldErrors) -> Option<FollowTarget> {
    let text = match value {
        Value::Number(n) => n.to_string(),
        Value::String(s) if s.trim().parse::<i64>().is_ok() => s.trim().to_owned(),
        Value::Null => {
            errors.add("following", "This field may not be null.");
            return None;
        }
        Value::String(_) => {
            errors.add(
                "following",
                "Incorrect type. Expected pk value, received str.",
            );
            return None;
        }
        _ => {
            errors.add("following", "Incorrect type. Expected pk value.");
            return None;
        }
    };
    match UserId::parse(&text) {
        Ok(id) => Some(FollowTarget::Id(id)),
        Err(_) => {
            errors.add(
                "following",
                format!("Invalid pk \"{text}\" - object does not exist."),
            );
            None
        }
    }
}

/// `PATCH /careers/users/me/update/`: any subset of first_name, last_name, bio, avatar, email.
pub fn profile_changes(fields: &Fields) -> Result<ProfileChanges, ServiceError> {
    let mut errors = FieldErrors::default();
    fields.refuse_protected(&mut errors);
    if fields.contains("username") {
        errors.add("username", "This field cannot be changed.");
    }
    let mut changes = ProfileChanges {
        bio: fields.given_value("bio", &mut errors, Bio::parse),
        avatar: fields.given_value("avatar", &mut errors, Avatar::parse),
        ..super::name_changes(fields, &mut errors)
    };
    if fields.contains("email") {
        changes.email = fields.required_email("email", &mut errors);
    }
    errors.finish(Some(changes))
}

/// The 200 body of a profile update.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Updated<'a> {
    #[serde(flatten)]
    pub profile: OwnProfile<'a>,
    pub updated_at: String,
}

pub fn updated(user: &User) -> Updated<'_> {
    Updated {
        profile: OwnProfile::of(user),
        updated_at: user.updated_at.to_rfc3339(),
    }
}

/// `?page=` of the follow lists, from 1; a page DRF's pagination would refuse (not a
/// positive number) is [`ServiceError::InvalidPage`].
pub fn page(query: &Query) -> Result<usize, ServiceError> {
    match query.number::<usize>("page") {
        Ok(None) => Ok(1),
        Ok(Some(page)) if page > 0 => Ok(page),
        _ => Err(ServiceError::InvalidPage),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn fields(value: Value) -> Fields {
        Fields::from_map(value.as_object().unwrap().clone())
    }

    fn errors_of(result: Result<NewUser, ServiceError>) -> Value {
        match result {
            Err(ServiceError::Invalid(errors)) => errors.to_json(),
            other => panic!("expected field errors, got {other:?}"),
        }
    }

    #[test]
    fn a_complete_sign_up_parses() {
        let parsed = new_user(&fields(json!({
            "username": "alice", "email": "alice@example.com",
            "password": "password123", "password_confirm": "password123",
            "first_name": "Alice", "last_name": "Smith", "bio": "Hi"
        })))
        .unwrap();
        assert_eq!(parsed.username.as_str(), "alice");
        assert_eq!(parsed.first_name.as_str(), "Alice");
    }

    #[test]
    fn every_missing_field_is_reported_at_once() {
        let errors = errors_of(new_user(&fields(json!({}))));
        for field in ["username", "email", "password", "password_confirm"] {
            assert_eq!(errors[field], json!(["This field is required."]), "{field}");
        }
    }

    #[test]
    fn mismatched_confirmation_is_reported_on_password_confirm() {
        let errors = errors_of(new_user(&fields(json!({
            "username": "alice", "email": "alice@example.com",
            "password": "password123", "password_confirm": "password124"
        }))));
        assert_eq!(
            errors["password_confirm"],
            json!(["Password fields didn't match."])
        );
    }

    #[test]
    fn protected_fields_are_refused() {
        let errors = errors_of(new_user(&fields(json!({
            "username": "alice", "email": "alice@example.com",
            "password": "password123", "password_confirm": "password123",
            "is_staff": true, "id": 1
        }))));
        assert_eq!(errors["is_staff"], json!(["This field cannot be set."]));
        assert_eq!(errors["id"], json!(["This field cannot be set."]));
    }

    mod bodies {
        use super::super::*;
        use crate::auth::refresh::RefreshToken;
        use crate::clock::Timestamp;
        use crate::contracts::keys;
        use crate::domain::UserId;
        use crate::http::Query;

        fn ann() -> User {
            crate::contracts::sample_user(1)
        }

        fn sorted(mut keys: Vec<&str>) -> Vec<&str> {
            keys.sort_unstable();
            keys
        }

        const IDENTITY: [&str; 4] = ["id", "username", "first_name", "last_name"];
        const COUNTS: [&str; 3] = ["posts_count", "followers_count", "following_count"];

        fn with(parts: &[&[&'static str]]) -> Vec<&'static str> {
            sorted(parts.concat())
        }

        #[test]
        fn session_bodies_have_user_and_both_tokens() {
            let user = ann();
            let tokens = Tokens {
                access: "a".into(),
                refresh: RefreshToken::new_family(UserId::new(1)).unwrap(),
            };
            let registered = registered(&user, &tokens);
            assert_eq!(keys(&registered), ["access", "refresh", "user"]);
            assert_eq!(
                keys(&registered.user),
                with(&[&IDENTITY, &["email", "bio", "created_at"]])
            );
            let logged_in = logged_in(&user, &tokens);
            assert_eq!(keys(&logged_in), ["access", "refresh", "user"]);
            assert_eq!(keys(&logged_in.user), with(&[&IDENTITY, &["email"]]));
            assert_eq!(keys(&refreshed(&tokens)), ["access", "refresh"]);
        }

        #[test]
        fn profiles_have_their_keys() {
            let user = ann();
            assert_eq!(
                keys(&me(&user)),
                with(&[
                    &IDENTITY,
                    &COUNTS,
                    &["email", "bio", "avatar", "created_at", "updated_at"]
                ])
            );
            assert_eq!(
                keys(&public_profile(&user)),
                with(&[&IDENTITY, &COUNTS, &["bio", "avatar", "created_at"]])
            );
            assert_eq!(
                keys(&updated(&user)),
                with(&[&IDENTITY, &["email", "bio", "avatar", "updated_at"]])
            );
            assert_eq!(
                keys(&stats(&user)),
                with(&[&COUNTS, &["likes_received", "comments_received"]])
            );
        }

        #[test]
        fn lists_have_their_keys() {
            let people = vec![(ann().summary(), true)];
            let page = people_page(1, &people);
            assert_eq!(keys(&page), ["count", "results"]);
            assert_eq!(
                keys(&page.results[0]),
                with(&[&IDENTITY, &["avatar", "is_following"]])
            );
            let listing_body = Listing {
                users: vec![(ann().summary().into(), true)],
                total: 1,
                next: None,
            };
            let listed = listing(&listing_body, 10, 0);
            assert_eq!(keys(&listed), ["batch_info", "message", "users"]);
            assert_eq!(
                keys(&listed.batch_info),
                sorted(vec![
                    "current_batch",
                    "batch_size",
                    "total_users",
                    "total_batches",
                    "users_in_current_batch"
                ])
            );
            assert_eq!(keys(&follow_page(0, &[])), ["count", "results"]);
        }

        #[test]
        fn a_follow_has_both_sides() {
            let (ann, bob) = (Username::parse("ann"), Username::parse("bob"));
            let edge = FollowEdge::new(
                4,
                (UserId::new(1), &ann.unwrap()),
                (UserId::new(2), &bob.unwrap()),
                Timestamp::from_unix(0),
            );
            assert_eq!(
                keys(&follow_edge(&edge)),
                sorted(vec![
                    "id",
                    "follower",
                    "following",
                    "follower_username",
                    "following_username",
                    "created_at"
                ])
            );
        }

        #[test]
        fn details_have_only_detail() {
            assert_eq!(keys(&logged_out()), ["detail"]);
            assert_eq!(logged_out().detail, "Successfully logged out.");
            assert_eq!(keys(&unfollowed("bob")), ["message"]);
            assert_eq!(unfollowed("bob").message, "stopped following bob");
        }

        #[test]
        fn a_page_is_from_one_and_anything_else_is_an_invalid_page() {
            assert_eq!(page(&Query::parse("")).unwrap(), 1);
            assert_eq!(page(&Query::parse("page=3")).unwrap(), 3);
            for bad in ["page=0", "page=x", "page=-1"] {
                assert!(matches!(
                    page(&Query::parse(bad)),
                    Err(ServiceError::InvalidPage)
                ));
            }
        }

        #[test]
        fn filters_have_at_least_two_characters_and_blank_is_none() {
            for (query, field) in [
                ("search=a", "search"),
                ("search=%20%C3%A9%20", "search"),
                ("first_name=x", "first_name"),
                ("last_name=y", "last_name"),
            ] {
                match list_query(&Query::parse(query)) {
                    Err(ServiceError::Invalid(errors)) => assert!(errors.has(field), "{query}"),
                    other => panic!("{query}: expected a field error, got {other:?}"),
                }
            }
            let (list, _, _) = list_query(&Query::parse("search=%20&first_name=ab")).unwrap();
            assert!(list.is_filtered());
            let (plain, _, _) = list_query(&Query::parse("search=&cursor=x")).unwrap();
            assert!(!plain.is_filtered());
            assert_eq!(plain.cursor.as_deref(), Some("x"));
        }

        #[test]
        fn only_filtered_listings_say_whether_they_are_complete() {
            let none = Listing {
                users: vec![],
                total: 0,
                next: None,
            };
            assert_eq!(keys(&listing(&none, 10, 0).batch_info).len(), 5);
            let cut = Listing {
                users: vec![],
                total: 3,
                next: Some(Some("c".into())),
            };
            let info = listing(&cut, 10, 0).batch_info;
            assert_eq!(
                (info.complete, info.next),
                (Some(false), Some(Some("c".into())))
            );
            let done = Listing {
                users: vec![],
                total: 3,
                next: Some(None),
            };
            assert_eq!(listing(&done, 10, 0).batch_info.complete, Some(true));
        }

        #[test]
        fn batch_numbers_must_be_numbers_and_sizes_in_range() {
            let (list, size, number) = list_query(&Query::parse(
                "batch_size=5&batch_number=2&ordering=-username",
            ))
            .unwrap();
            assert_eq!((size, number, list.skip, list.take), (5, 2, 10, 5));
            assert!(list.descending);
            match list_query(&Query::parse("batch_size=0&batch_number=x")) {
                Err(ServiceError::Invalid(errors)) => {
                    assert!(errors.has("batch_size") && errors.has("batch_number"));
                }
                other => panic!("expected field errors, got {other:?}"),
            }
        }
    }
}
