//! The push contract (`/user...`, `/users`, seed 004), called by other servers with app
//! credentials in `X-App-Id` / `X-App-Auth`. Slim PHP style: `{"result": ...}` on success,
//! `{"error": "..."}` on failure.

use crate::domain::{
    Device, DeviceKind, Email, ThemeRange, Topic, TopicKind, TopicName, UserId, UserSummary,
};
use crate::domain::{MAX_MESSAGE, MAX_TITLE};
use crate::http::body::Fields;
use crate::http::dialect::{app_sentence, Case, Reason};
use crate::http::response::{json, Json};
use crate::http::{AppHeaders, HttpResponse, Query};
use crate::service::devices::NewDevice;
use crate::service::notifications::PushSend;
use crate::service::push::{BulkCreated, RejectReason, DEFAULT_LIMIT, MAX_BULK, MAX_LIMIT};
use crate::service::subscriptions::{DEFAULT_OPTION, MAX_OPTION};
use crate::service::{FieldErrors, ServiceError};
use crate::store::Member;
use lambda_http::http::HeaderName;
use serde::Serialize;
use serde_json::Value;

/// Where the app credentials are.
pub const APP_HEADERS: AppHeaders = AppHeaders {
    id: &["x-app-id"],
    secret: &["x-app-auth"],
    daily_token: true,
};

/// Slim's success envelope: `{"result": ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Envelope<T> {
    #[schema(inline)]
    pub result: T,
}

/// A 200 with `result` in the envelope.
pub fn ok<T: Serialize>(result: T) -> HttpResponse {
    json(200, &Envelope { result })
}

/// `{"error": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Error<'a> {
    pub error: &'a str,
}

/// The header the original service (and its client) carried the failure reason in.
pub const STATUS_REASON_HEADER: &str = "x-status-reason";

/// Every reason a push request was not served: one line under `error`, the same line in
/// `X-Status-Reason`. A taken value (e-mail, device reference) is 409, as the original's
/// "duplicated value"; every other status is the one all contracts share.
pub(crate) fn shape(reason: &Reason) -> Json {
    let text = app_sentence(reason, Case::Capitalised);
    let status = match reason {
        Reason::Taken(_) => 409,
        other => other.status(),
    };
    Json::new(status, &Error { error: &text })
        .header_text(HeaderName::from_static(STATUS_REASON_HEADER), &text)
}

/// A user's devices of one kind: `{"<device id>": "<reference>"}`, or `[]` when there are none
/// (as PHP renders an empty array).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevicesOf<'a> {
    devices: Vec<(u64, &'a str)>,
}

impl<'a> DevicesOf<'a> {
    fn new(devices: &'a [Device], kind: &str) -> Self {
        Self {
            devices: devices
                .iter()
                .filter(|d| d.kind.as_str() == kind)
                .map(|d| (d.id, d.reference.as_str()))
                .collect(),
        }
    }
}

impl Serialize for DevicesOf<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        if self.devices.is_empty() {
            return serializer.serialize_seq(Some(0))?.end();
        }
        let mut map = serializer.serialize_map(Some(self.devices.len()))?;
        for (id, reference) in &self.devices {
            map.serialize_entry(&id.to_string(), reference)?;
        }
        map.end()
    }
}

impl utoipa::PartialSchema for DevicesOf<'_> {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, OneOfBuilder, Type};
        OneOfBuilder::new()
            .description(Some(
                "The devices of one kind, `{\"<device id>\": \"<reference>\"}`, or `[]` when there are none.",
            ))
            .item(
                ObjectBuilder::new()
                    .additional_properties(Some(ObjectBuilder::new().schema_type(Type::String))),
            )
            .item(ArrayBuilder::new().max_items(Some(0)))
            .into()
    }
}

impl utoipa::ToSchema for DevicesOf<'_> {}

/// A user as the push contract shows one: its id and its devices by kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PushUser<'a> {
    pub id: u64,
    pub email: DevicesOf<'a>,
    pub android: DevicesOf<'a>,
    pub ios: DevicesOf<'a>,
}

impl<'a> PushUser<'a> {
    fn new(id: UserId, devices: &'a [Device]) -> Self {
        Self {
            id: id.get(),
            email: DevicesOf::new(devices, "email"),
            android: DevicesOf::new(devices, "android"),
            ios: DevicesOf::new(devices, "ios"),
        }
    }
}

pub fn user(user: &UserSummary) -> PushUser<'_> {
    PushUser::new(user.id, &user.devices)
}

/// The `result` of `GET /users`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct UserList<'a> {
    pub users: Vec<PushUser<'a>>,
    pub limit: usize,
    pub page: usize,
    #[serde(rename = "totalInPage")]
    pub total_in_page: usize,
}

pub fn user_list(users: &[UserSummary], page: usize, limit: usize) -> UserList<'_> {
    UserList {
        users: users.iter().map(user).collect(),
        limit,
        page,
        total_in_page: users.len(),
    }
}

/// An e-mail of `POST /users` that did not become a user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RejectedEmail<'a> {
    pub email: &'a str,
    pub error: &'a str,
}

/// The whole body of `POST /users`: the users made (in the envelope's `result`) and the
/// e-mails refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct BulkBody<'a> {
    pub result: Vec<PushUser<'a>>,
    pub rejected: Vec<RejectedEmail<'a>>,
}

pub fn bulk_created(outcome: &BulkCreated) -> BulkBody<'_> {
    BulkBody {
        result: outcome
            .created
            .iter()
            .map(|u| PushUser::new(u.id, &u.devices))
            .collect(),
        rejected: outcome
            .rejected
            .iter()
            .map(|r| RejectedEmail {
                email: r.email.as_str(),
                error: match &r.reason {
                    RejectReason::Invalid(message) => message.as_str(),
                    RejectReason::Taken(field) => crate::http::dialect::taken(*field).1,
                },
            })
            .collect(),
    }
}

/// `true` in the envelope: the whole body of `DELETE /user/{id}`.
pub fn deleted() -> Envelope<bool> {
    Envelope { result: true }
}

/// `POST /user`: `email`.
pub fn new_user_email(fields: &Fields) -> Result<Email, ServiceError> {
    let mut errors = FieldErrors::default();
    fields.refuse_protected(&mut errors);
    let email = fields.required_email("email", &mut errors);
    errors.finish(email)
}

/// `POST /users`: `emails`, a JSON array of strings (in a JSON body, as a form value holding
/// JSON, or as a repeated form key).
pub fn bulk_emails(fields: &Fields) -> Result<Vec<String>, ServiceError> {
    let mut protected = FieldErrors::default();
    fields.refuse_protected(&mut protected);
    if !protected.is_empty() {
        return Err(ServiceError::Invalid(protected));
    }
    let value = match fields.get("emails") {
        None => return Err(ServiceError::invalid("emails", "This field is required.")),
        Some(Value::String(text)) => match serde_json::from_str::<Value>(text) {
            Ok(parsed @ Value::Array(_)) => parsed,
            _ => Value::Array(vec![Value::String(text.clone())]),
        },
        Some(other) => other.clone(),
    };
    let Value::Array(items) = value else {
        return Err(ServiceError::invalid(
            "emails",
            "Expected a JSON array of e-mails.",
        ));
    };
    if items.len() > MAX_BULK {
        return Err(ServiceError::invalid(
            "emails",
            &format!("At most {MAX_BULK} e-mails per request."),
        ));
    }
    items
        .into_iter()
        .map(|item| match item {
            Value::String(text) => Ok(text),
            _ => Err(ServiceError::invalid(
                "emails",
                "Expected a JSON array of e-mails.",
            )),
        })
        .collect()
}

/// `GET /users`: `page` (from 1, default 1) and `limit` (default 10, at most 100).
pub fn page_and_limit(query: &Query) -> Result<(usize, usize), ServiceError> {
    let positive = |name: &str, default: usize| match query.number::<usize>(name) {
        Ok(None) => Ok(default),
        Ok(Some(value)) if value > 0 => Ok(value),
        _ => Err(ServiceError::invalid(
            name,
            "A positive integer is required.",
        )),
    };
    Ok((
        positive("page", 1)?,
        positive("limit", DEFAULT_LIMIT)?.min(MAX_LIMIT),
    ))
}

/// One device as `GET /user/{id}/device/{idDevice}` and `?reference=` show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DeviceBody<'a> {
    pub id: u64,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub user_id: u64,
    pub reference: &'a str,
}

pub fn device(user: UserId, device: &Device) -> DeviceBody<'_> {
    DeviceBody {
        id: device.id,
        kind: device.kind.as_str(),
        user_id: user.get(),
        reference: &device.reference,
    }
}

/// `result` of `GET /user/{id}/device?reference=`: the device, or `false` when the user has
/// no such device (as the document says).
pub fn device_or_false(user: UserId, found: Option<&Device>) -> Value {
    match found {
        Some(found) => serde_json::to_value(device(user, found)).unwrap_or(Value::Bool(false)),
        None => Value::Bool(false),
    }
}

/// `POST /user/{id}/device`: any of `email`, `android`, `ios` (the document's and the
/// original's fields, each one reference), or `type` and `reference`; at least one device.
pub fn new_devices(fields: &Fields) -> Result<Vec<NewDevice>, ServiceError> {
    let mut errors = FieldErrors::default();
    fields.refuse_protected(&mut errors);
    let mut wanted = Vec::new();
    if fields.contains("type") {
        let kind = fields
            .required_text("type", true, &mut errors)
            .and_then(|text| errors.check("type", DeviceKind::parse(&text)));
        let reference = fields.required_text("reference", true, &mut errors);
        if let (Some(kind), Some(reference)) = (kind, reference) {
            wanted.push((kind.as_str(), kind, reference));
        }
    } else {
        for kind in DeviceKind::ALL {
            if let Some(reference) = fields.given_text(kind.as_str(), &mut errors) {
                wanted.push((kind.as_str(), kind, reference));
            }
        }
        if wanted.is_empty() && errors.is_empty() {
            errors.add("email", "Give at least one of email, android or ios.");
        }
    }
    let devices: Vec<NewDevice> = wanted
        .into_iter()
        .filter_map(|(field, kind, reference)| {
            NewDevice::parse(kind, &reference)
                .map_err(|message| errors.add(field, message))
                .ok()
        })
        .collect();
    errors.finish(Some(devices))
}

/// `GET /user/{id}/device`: `reference`, required.
pub fn reference(query: &Query) -> Result<String, ServiceError> {
    query
        .non_blank("reference")
        .map(|r| r.trim().to_owned())
        .ok_or_else(|| ServiceError::invalid("reference", "This field is required."))
}

/// A `{idDevice}` segment: anything but a positive number names no device.
pub fn device_id(segment: &str) -> Result<u64, ServiceError> {
    segment
        .parse::<u64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(ServiceError::Missing("Device"))
}

/// A `{type}` segment: `email`, `android` or `ios`.
pub fn device_kind(segment: &str) -> Result<DeviceKind, ServiceError> {
    DeviceKind::parse(segment).map_err(|invalid| ServiceError::invalid("type", &invalid.0))
}

/// A channel as the push contract shows one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ChannelBody<'a> {
    pub id: u64,
    pub name: &'a str,
}

/// A theme as the push contract shows one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ThemeBody<'a> {
    pub id: u64,
    pub name: &'a str,
    pub range: &'static str,
}

pub fn channel(topic: &Topic) -> ChannelBody<'_> {
    ChannelBody {
        id: topic.id,
        name: topic.name.as_str(),
    }
}

pub fn theme(topic: &Topic) -> ThemeBody<'_> {
    ThemeBody {
        id: topic.id,
        name: topic.name.as_str(),
        range: topic.range.map_or("", ThemeRange::as_str),
    }
}

/// The `result` of `GET /channels`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ChannelList<'a> {
    pub channels: Vec<ChannelBody<'a>>,
    pub limit: usize,
    pub page: usize,
    #[serde(rename = "totalInPage")]
    pub total_in_page: usize,
}

pub fn channel_list(channels: &[Topic], page: usize, limit: usize) -> ChannelList<'_> {
    ChannelList {
        channels: channels.iter().map(channel).collect(),
        limit,
        page,
        total_in_page: channels.len(),
    }
}

/// The `result` of `GET /themes` and `GET /themes/range/{range}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ThemeList<'a> {
    pub themes: Vec<ThemeBody<'a>>,
    pub limit: usize,
    pub page: usize,
    #[serde(rename = "totalInPage")]
    pub total_in_page: usize,
}

pub fn theme_list(themes: &[Topic], page: usize, limit: usize) -> ThemeList<'_> {
    ThemeList {
        themes: themes.iter().map(theme).collect(),
        limit,
        page,
        total_in_page: themes.len(),
    }
}

/// `POST /channel`, `PUT /channel/{id}`: `name`, required.
pub fn topic_name(fields: &Fields) -> Result<TopicName, ServiceError> {
    let mut errors = FieldErrors::default();
    let name = fields
        .required_text("name", true, &mut errors)
        .and_then(|text| errors.check("name", TopicName::parse(&text)));
    errors.finish(name)
}

/// `POST /send`: `theme` (a name) and `message` required; `subject` optional (the theme's
/// name when absent); `user_id` for a unicast theme, `channel` (a name) for a multicast one.
pub fn send(fields: &Fields) -> Result<PushSend, ServiceError> {
    let mut errors = FieldErrors::default();
    let theme = fields
        .required_text("theme", true, &mut errors)
        .and_then(|text| errors.check("theme", TopicName::parse(&text)));
    let message = fields.required_text("message", true, &mut errors);
    if message
        .as_ref()
        .is_some_and(|m| m.chars().count() > MAX_MESSAGE)
    {
        errors.add(
            "message",
            format!("Ensure this field has no more than {MAX_MESSAGE} characters."),
        );
    }
    let subject = fields
        .optional_text("subject", &mut errors)
        .unwrap_or_default();
    if subject.chars().count() > MAX_TITLE {
        errors.add(
            "subject",
            format!("Ensure this field has no more than {MAX_TITLE} characters."),
        );
    }
    let user_id = fields
        .optional_id("user_id", &mut errors)
        .flatten()
        .map(UserId::new);
    let channel = match fields.optional_text("channel", &mut errors) {
        Some(text) if !text.is_empty() => errors.check("channel", TopicName::parse(&text)),
        _ => None,
    };
    let send = theme.zip(message).map(|(theme, message)| PushSend {
        subject: if subject.is_empty() {
            theme.as_str().to_owned()
        } else {
            subject
        },
        theme,
        message,
        user_id,
        channel,
    });
    errors.finish(send)
}

/// `POST /theme`: `name` and `range` (`unicast`, `multicast` or `broadcast`), both required.
pub fn new_theme(fields: &Fields) -> Result<(TopicName, ThemeRange), ServiceError> {
    let mut errors = FieldErrors::default();
    let name = fields
        .required_text("name", true, &mut errors)
        .and_then(|text| errors.check("name", TopicName::parse(&text)));
    let range = fields
        .required_text("range", true, &mut errors)
        .and_then(|text| errors.check("range", ThemeRange::parse(&text)));
    errors.finish(name.zip(range))
}

/// `PUT /theme/{id}`: `name`, `range` or both; neither is refused.
pub fn theme_change(
    fields: &Fields,
) -> Result<(Option<TopicName>, Option<ThemeRange>), ServiceError> {
    if !fields.contains("name") && !fields.contains("range") {
        return Err(ServiceError::invalid("name", "This field is required."));
    }
    let mut errors = FieldErrors::default();
    let name = if fields.contains("name") {
        fields
            .required_text("name", true, &mut errors)
            .and_then(|text| errors.check("name", TopicName::parse(&text)))
            .map(Some)
    } else {
        Some(None)
    };
    let range = if fields.contains("range") {
        fields
            .required_text("range", true, &mut errors)
            .and_then(|text| errors.check("range", ThemeRange::parse(&text)))
            .map(Some)
    } else {
        Some(None)
    };
    errors.finish(name.zip(range))
}

/// `GET /channel_name`, `GET /theme_name`: the first `name`, up to its first `?` (the official
/// client sends `?name=X?name=X`).
pub fn name_query(query: &Query) -> Result<TopicName, ServiceError> {
    let text = query
        .get("name")
        .and_then(|value| value.split('?').next())
        .filter(|value| !value.trim().is_empty())
        .ok_or_else(|| ServiceError::invalid("name", "This field is required."))?;
    TopicName::parse(text).map_err(|invalid| ServiceError::invalid("name", &invalid.0))
}

/// A `{id}` segment of `/channel/{id}` or `/theme/{id}`: anything but a positive number names
/// no channel (theme).
pub fn topic_id(kind: TopicKind, segment: &str) -> Result<u64, ServiceError> {
    segment
        .parse::<u64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(ServiceError::Missing(kind.label()))
}

/// A `{range}` segment: `unicast`, `multicast` or `broadcast`.
pub fn theme_range(segment: &str) -> Result<ThemeRange, ServiceError> {
    ThemeRange::parse(segment).map_err(|invalid| ServiceError::invalid("range", &invalid.0))
}

/// A subscription as the push contract shows one (the original's row without its own id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SubscriptionBody {
    pub user_id: u64,
    pub channel_id: u64,
}

pub fn subscription(member: &Member) -> SubscriptionBody {
    SubscriptionBody {
        user_id: member.user.get(),
        channel_id: member.topic,
    }
}

pub fn subscriptions(members: &[Member]) -> Vec<SubscriptionBody> {
    members.iter().map(subscription).collect()
}

/// A preference as the push contract shows one: its option mask as a number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PreferenceBody {
    pub user_id: u64,
    pub theme_id: u64,
    pub option: u8,
}

pub fn preference(member: &Member) -> PreferenceBody {
    PreferenceBody {
        user_id: member.user.get(),
        theme_id: member.topic,
        option: member.option.unwrap_or(DEFAULT_OPTION),
    }
}

/// The `result` of `GET /user/{id}/preferences`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PreferenceList {
    pub preferences: Vec<PreferenceBody>,
    pub limit: usize,
    pub page: usize,
    #[serde(rename = "totalInPage")]
    pub total_in_page: usize,
}

pub fn preference_list(members: &[Member], page: usize, limit: usize) -> PreferenceList {
    PreferenceList {
        preferences: members.iter().map(preference).collect(),
        limit,
        page,
        total_in_page: members.len(),
    }
}

/// `option`, required: the mask 0 (nothing), 1 (e-mail), 2 (smartphones) or 3 (both), as a
/// form string or a JSON number; anything else is refused.
pub fn preference_option(fields: &Fields) -> Result<u8, ServiceError> {
    const WRONG: &str = "A valid option is required: 0, 1, 2 or 3.";
    let option = match fields.get("option") {
        None | Some(Value::Null) => {
            return Err(ServiceError::invalid("option", "This field is required."))
        }
        Some(Value::String(text)) => text.trim().parse::<u8>().ok(),
        Some(Value::Number(number)) => number.as_u64().and_then(|n| u8::try_from(n).ok()),
        Some(_) => None,
    };
    option
        .filter(|option| *option <= MAX_OPTION)
        .ok_or_else(|| ServiceError::invalid("option", WRONG))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contracts::keys;
    use crate::domain::User;
    use crate::service::push::{RejectReason, Rejected};
    use serde_json::json;

    fn with_devices() -> User {
        let mut user = crate::contracts::sample_user(5);
        user.devices = vec![Device {
            id: 9,
            kind: crate::domain::DeviceKind::Email,
            reference: "ann@example.com".into(),
        }];
        user
    }

    #[test]
    fn a_user_shows_devices_by_kind_and_an_empty_kind_as_a_list() {
        let user = with_devices();
        let body = serde_json::to_value(super::user(&user.summary())).unwrap();
        assert_eq!(
            body,
            json!({ "id": 5, "email": { "9": "ann@example.com" }, "android": [], "ios": [] })
        );
    }

    #[test]
    fn a_user_list_has_users_limit_page_and_total_in_page() {
        let users = [with_devices().summary()];
        let body = user_list(&users, 2, 10);
        assert_eq!(keys(&body), ["limit", "page", "totalInPage", "users"]);
        assert_eq!(body.total_in_page, 1);
    }

    #[test]
    fn a_bulk_creation_lists_users_made_and_emails_refused() {
        let outcome = BulkCreated {
            created: vec![with_devices()],
            rejected: vec![Rejected {
                email: "x".into(),
                reason: RejectReason::Invalid("Enter a valid email address.".into()),
            }],
        };
        let body = bulk_created(&outcome);
        assert_eq!(keys(&body), ["rejected", "result"]);
        assert_eq!(keys(&body.rejected[0]), ["email", "error"]);
    }

    #[test]
    fn a_device_has_id_type_user_id_and_reference_and_a_missing_one_is_false() {
        let phone = Device {
            id: 10,
            kind: crate::domain::DeviceKind::Ios,
            reference: "XX".into(),
        };
        let body = device(UserId::new(2), &phone);
        assert_eq!(keys(&body), ["id", "reference", "type", "user_id"]);
        assert_eq!(
            device_or_false(UserId::new(2), Some(&phone)),
            json!({"id": 10, "type": "ios", "user_id": 2, "reference": "XX"})
        );
        assert_eq!(device_or_false(UserId::new(2), None), json!(false));
    }

    #[test]
    fn new_devices_read_the_documents_fields_or_type_and_reference() {
        let form = |text: &str| {
            let map = form_urlencoded::parse(text.as_bytes())
                .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
                .collect();
            Fields::from_map(map)
        };
        let both = new_devices(&form("email=b%40example.com&android=tok")).unwrap();
        assert_eq!(both.len(), 2);
        let typed = new_devices(&form("type=ios&reference=abc")).unwrap();
        assert_eq!(typed[0].kind, DeviceKind::Ios);
        assert!(new_devices(&form("")).is_err());
        assert!(new_devices(&form("type=fax&reference=1")).is_err());
        assert!(new_devices(&form("email=nope")).is_err());
        assert!(new_devices(&form("type=ios")).is_err());
    }

    #[test]
    fn envelopes_and_errors_have_their_one_key() {
        assert_eq!(
            serde_json::to_value(deleted()).unwrap(),
            json!({ "result": true })
        );
        assert_eq!(keys(&Error { error: "x" }), ["error"]);
    }

    #[test]
    fn page_and_limit_default_cap_and_refuse_non_positive_numbers() {
        assert_eq!(
            page_and_limit(&Query::parse("")).unwrap(),
            (1, DEFAULT_LIMIT)
        );
        assert_eq!(
            page_and_limit(&Query::parse("page=3&limit=500")).unwrap(),
            (3, MAX_LIMIT)
        );
        assert!(page_and_limit(&Query::parse("page=0")).is_err());
        assert!(page_and_limit(&Query::parse("limit=x")).is_err());
    }

    #[test]
    fn channel_and_theme_bodies_have_their_key_sets() {
        let topic = Topic {
            kind: TopicKind::Theme,
            id: 4,
            name: TopicName::parse("Likes").unwrap(),
            range: Some(ThemeRange::Broadcast),
        };
        assert_eq!(keys(&channel(&topic)), ["id", "name"]);
        assert_eq!(keys(&theme(&topic)), ["id", "name", "range"]);
        assert_eq!(
            keys(&channel_list(std::slice::from_ref(&topic), 1, 10)),
            ["channels", "limit", "page", "totalInPage"]
        );
        assert_eq!(
            keys(&theme_list(&[topic], 1, 10)),
            ["limit", "page", "themes", "totalInPage"]
        );
    }

    #[test]
    fn a_name_in_the_query_ends_at_its_first_question_mark() {
        let name = name_query(&Query::parse("name=News?name=News")).unwrap();
        assert_eq!(name.as_str(), "News");
        assert!(name_query(&Query::parse("name=")).is_err());
        assert!(name_query(&Query::parse("name=?name=x")).is_err());
        assert!(name_query(&Query::parse("other=x")).is_err());
    }
}
