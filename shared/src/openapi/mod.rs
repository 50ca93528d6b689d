//! The OpenAPI 3.1 document of every route. It is built from the route rows themselves (method,
//! path, the contract whose error shapes the route speaks) and, for each row, its entry in
//! [`SPECS`]: what it takes (security, query, body) and the type of the body it answers with,
//! whose schema comes from that type's `ToSchema` derive. A row without an entry is reported
//! by [`document`], so no route can be served without being documented.

mod table;

use crate::http::routing::Method;
use crate::http::Dialect;
use std::collections::BTreeMap;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{
    Operation, OperationBuilder, Parameter, ParameterBuilder, ParameterIn, ParameterStyle, PathItem,
};
use utoipa::openapi::request_body::{RequestBody, RequestBodyBuilder};
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::schema::{
    AnyOfBuilder, ArrayBuilder, KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type,
};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::tag::TagBuilder;
use utoipa::openapi::InfoBuilder;
use utoipa::openapi::{
    Components, Content, HttpMethod, OpenApi, OpenApiBuilder, Paths, RefOr, Required, Response,
    SecurityRequirement,
};
use utoipa::{PartialSchema, ToSchema};

pub use table::SPECS;

/// Named schemas a response type refers to, gathered into the document's components.
pub type Named = Vec<(String, RefOr<Schema>)>;

/// The schema of a success body, and the named schemas it refers to.
pub type Answer = fn(&mut Named) -> RefOr<Schema>;

/// The schema of `T`, whose named parts go to the components.
pub fn of<T: ToSchema>(named: &mut Named) -> RefOr<Schema> {
    T::schemas(named);
    T::schema()
}

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    Public,
    /// A signed-in user's access token.
    Bearer,
    /// Answers anyone, and more to a signed-in user.
    OptionalBearer,
    /// The chat server's app id and secret headers.
    ChatApp,
    /// The push contract's app id and secret (or daily token) headers.
    PushApp,
    /// The counters' app id and secret headers.
    CounterApp,
}

/// The type of a body field or query parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Email,
    Password,
    /// A positive whole number (an id, a page).
    Id,
    Integer,
    Bool,
    /// RFC 3339.
    DateTime,
    /// A list of texts.
    Texts,
    /// A list of ids.
    Ids,
    /// A JSON object.
    Object,
}

/// A body field or a query parameter.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub kind: Kind,
    pub required: bool,
}

/// A required field.
pub const fn req(name: &'static str, kind: Kind) -> Field {
    Field {
        name,
        kind,
        required: true,
    }
}

/// An optional field.
pub const fn opt(name: &'static str, kind: Kind) -> Field {
    Field {
        name,
        kind,
        required: false,
    }
}

/// What the document says of one route beyond its row.
pub struct Spec {
    pub method: Method,
    pub path: &'static str,
    pub summary: &'static str,
    pub auth: Auth,
    pub query: &'static [Field],
    /// `None`: the route reads no body. `Some(fields)`: a JSON object or a form.
    pub body: Option<&'static [Field]>,
    /// The success status and the body it carries.
    pub ok: u16,
    pub answer: Answer,
    /// A tag other than the contract's (the service's own routes).
    pub tag: Option<&'static str>,
    /// The media type of the success body.
    pub media: &'static str,
}

/// A route as the document sees it: its row in a function's route table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    pub method: Method,
    pub path: &'static str,
    pub dialect: Dialect,
}

/// The tag of each contract, with what it is.
pub const TAGS: [(&str, &str); 6] = [
    ("careers", "The careers contract: Django REST framework with simplejwt (`/careers/users/...`)."),
    ("accounts", "The accounts contract (`/api/v1/accounts/users/...`)."),
    ("campaign", "The campaign contract (`/api/...`): sessions, profiles, settings, notifications and staff routes."),
    ("chat", "The chat server's REST API (`/api/v2.1/rest/...`), called with the app's headers."),
    ("push", "The push contract (users, devices, channels, themes, subscriptions, sending), called with the app's headers."),
    ("service", "The service's own documents: its key set, this document and the page that shows it."),
];

pub fn tag_of(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Drf => "careers",
        Dialect::Accounts => "accounts",
        Dialect::Campaign => "campaign",
        Dialect::Chat => "chat",
        Dialect::Push => "push",
    }
}

/// The document of `rows`, or the rows that have no entry in [`SPECS`] (and entries that match
/// no row).
pub fn document(rows: &[Row]) -> Result<OpenApi, Vec<String>> {
    let mut problems = Vec::new();
    let mut named = Named::new();
    let mut items: BTreeMap<&str, PathItem> = BTreeMap::new();
    for row in rows {
        let Some(spec) = SPECS
            .iter()
            .find(|s| s.method == row.method && s.path == row.path)
        else {
            problems.push(format!("{} {} has no OpenAPI entry", row.method, row.path));
            continue;
        };
        let operation = operation(row, spec, &mut named);
        let method = http_method(row.method);
        match items.get_mut(row.path) {
            Some(item) => item.merge_operations(PathItem::new(method, operation)),
            None => {
                items.insert(row.path, PathItem::new(method, operation));
            }
        }
    }
    for spec in SPECS {
        if !rows
            .iter()
            .any(|r| r.method == spec.method && r.path == spec.path)
        {
            problems.push(format!(
                "{} {} is documented but no function serves it",
                spec.method, spec.path
            ));
        }
    }
    let mut components = Components::new();
    for (name, schema) in named {
        if let Some(known) = components.schemas.get(&name) {
            if known != &schema {
                problems.push(format!("two different schemas are named {name}"));
            }
            continue;
        }
        components.schemas.insert(name, schema);
    }
    for (name, scheme) in security_schemes() {
        components.add_security_scheme(name, scheme);
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut paths = Paths::new();
    for (path, item) in items {
        paths.paths.insert(path.to_owned(), item);
    }
    let info = InfoBuilder::new()
        .title("Users service")
        .version(env!("CARGO_PKG_VERSION"))
        .description(Some(
            "One user service speaking five contracts over one data model. Each contract keeps \
         its own paths, field names, status codes and error bodies; its tag lists its routes. \
         A trailing slash on any path is optional.",
        ))
        .build();
    Ok(OpenApiBuilder::new()
        .info(info)
        .paths(paths)
        .components(Some(components))
        .tags(Some(TAGS.iter().map(|(name, about)| {
            TagBuilder::new()
                .name(*name)
                .description(Some(*about))
                .build()
        })))
        .build())
}

fn http_method(method: Method) -> HttpMethod {
    match method {
        Method::Get => HttpMethod::Get,
        Method::Post => HttpMethod::Post,
        Method::Put => HttpMethod::Put,
        Method::Patch => HttpMethod::Patch,
        Method::Delete => HttpMethod::Delete,
    }
}

fn operation(row: &Row, spec: &Spec, named: &mut Named) -> Operation {
    let tag = spec.tag.unwrap_or_else(|| tag_of(row.dialect));
    let mut operation = OperationBuilder::new()
        .tag(tag)
        .summary(Some(spec.summary))
        .operation_id(Some(operation_id(row)));
    for parameter in path_parameters(row.path) {
        operation = operation.parameter(parameter);
    }
    for field in spec.query {
        operation = operation.parameter(query_parameter(field));
    }
    if let Some(fields) = spec.body {
        operation = operation.request_body(Some(request_body(fields)));
    }
    operation = operation.securities(Some(security(spec.auth)));
    let success = ResponseBuilder::new()
        .description(success_words(spec.ok))
        .content(spec.media, Content::new(Some((spec.answer)(named))))
        .build();
    operation = operation.response(spec.ok.to_string(), success);
    for status in error_statuses(row, spec) {
        operation = operation.response(
            status.to_string(),
            error_response(row.dialect, status, named),
        );
    }
    operation.build()
}

/// `get_careers_users_username_followers`: the method and the path's words.
fn operation_id(row: &Row) -> String {
    let words: Vec<String> = row
        .path
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    format!(
        "{}_{}",
        row.method.as_str().to_ascii_lowercase(),
        words.join("_")
    )
}

fn success_words(status: u16) -> &'static str {
    match status {
        201 => "Created.",
        _ => "Done.",
    }
}

/// The failures a route can answer with, in its contract's shape.
fn error_statuses(row: &Row, spec: &Spec) -> Vec<u16> {
    if spec.tag == Some("service") {
        // The service's own documents read nothing but their path.
        return if row.path.contains('{') {
            vec![404]
        } else {
            vec![]
        };
    }
    let mut statuses = vec![400, 401, 403, 404];
    if row.dialect == Dialect::Push {
        statuses.push(409);
    }
    if spec.body.is_some() {
        statuses.extend([413, 415]);
    }
    statuses.extend([429, 503]);
    statuses
}

fn error_response(dialect: Dialect, status: u16, named: &mut Named) -> Response {
    let words = match status {
        400 => "The request is invalid: the body says why, in the contract's shape.",
        401 => "No valid credentials.",
        403 => "The caller may not do this (or the account is banned).",
        404 => "No such resource.",
        409 => "Taken: the value must be unique.",
        413 => "The body is too large.",
        415 => "The body is neither JSON nor a form.",
        429 => "Too many requests: wait the seconds `Retry-After` gives.",
        _ => "The store is unavailable: retry after the seconds `Retry-After` gives.",
    };
    let mut response = ResponseBuilder::new().description(words).content(
        "application/json",
        Content::new(Some(error_schema(dialect, named))),
    );
    if matches!(status, 429 | 503) {
        response = response.header(
            "Retry-After",
            HeaderBuilder::new()
                .schema(Some(ObjectBuilder::new().schema_type(Type::Integer)))
                .description(Some("Seconds to wait before trying again."))
                .build(),
        );
    }
    response.build()
}

fn error_schema(dialect: Dialect, named: &mut Named) -> RefOr<Schema> {
    use crate::contracts::{accounts, campaign, chat, push};
    use crate::http::drf;
    let drf_shapes = |named: &mut Named| {
        AnyOfBuilder::new()
            .item(of::<drf::Detail<'static>>(named))
            .item(of::<drf::Refusal<'static>>(named))
            .item(of::<drf::NonFieldErrors<'static>>(named))
            .item(of::<crate::service::FieldErrors>(named))
    };
    match dialect {
        Dialect::Drf => drf_shapes(named).into(),
        Dialect::Accounts => drf_shapes(named)
            .item(of::<accounts::Error<'static>>(named))
            .into(),
        Dialect::Campaign => AnyOfBuilder::new()
            .item(of::<campaign::ValidationError<'static>>(named))
            .item(of::<campaign::Throttled<'static>>(named))
            .item(of::<campaign::Error<'static>>(named))
            .into(),
        Dialect::Chat => of::<chat::Error<'static>>(named),
        Dialect::Push => of::<push::Error<'static>>(named),
    }
}

/// Path segments `{name}`, each required; ids are whole numbers.
fn path_parameters(path: &str) -> Vec<Parameter> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
        .map(|name| {
            let kind = match name {
                "id" | "pk" | "idDevice" | "idchannel" | "idtheme" => Kind::Id,
                _ => Kind::Text,
            };
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Path)
                .required(Required::True)
                .schema(Some(schema_of(kind)))
                .build()
        })
        .collect()
}

fn query_parameter(field: &Field) -> Parameter {
    let mut parameter = ParameterBuilder::new()
        .name(field.name)
        .parameter_in(ParameterIn::Query)
        .required(if field.required {
            Required::True
        } else {
            Required::False
        })
        .schema(Some(schema_of(field.kind)));
    if matches!(field.kind, Kind::Texts | Kind::Ids) {
        parameter = parameter
            .style(Some(ParameterStyle::Form))
            .explode(Some(true));
    }
    parameter.build()
}

fn request_body(fields: &[Field]) -> RequestBody {
    let mut object = ObjectBuilder::new().schema_type(Type::Object);
    for field in fields {
        object = object.property(field.name, schema_of(field.kind));
        if field.required {
            object = object.required(field.name);
        }
    }
    let schema: RefOr<Schema> = object.into();
    let required = fields.iter().any(|f| f.required);
    RequestBodyBuilder::new()
        .required(Some(if required {
            Required::True
        } else {
            Required::False
        }))
        .content("application/json", Content::new(Some(schema.clone())))
        .content(
            "application/x-www-form-urlencoded",
            Content::new(Some(schema)),
        )
        .build()
}

fn schema_of(kind: Kind) -> RefOr<Schema> {
    let text = || ObjectBuilder::new().schema_type(Type::String);
    match kind {
        Kind::Text => text().into(),
        Kind::Email => text()
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Email)))
            .into(),
        Kind::Password => text()
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Password)))
            .into(),
        Kind::DateTime => text()
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
            .into(),
        Kind::Id => ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(1))
            .into(),
        Kind::Integer => ObjectBuilder::new().schema_type(Type::Integer).into(),
        Kind::Bool => ObjectBuilder::new().schema_type(Type::Boolean).into(),
        Kind::Texts => ArrayBuilder::new().items(text()).into(),
        Kind::Ids => ArrayBuilder::new()
            .items(
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .minimum(Some(1)),
            )
            .into(),
        Kind::Object => ObjectBuilder::new().schema_type(Type::Object).into(),
    }
}

fn security(auth: Auth) -> Vec<SecurityRequirement> {
    let none = Vec::<String>::new;
    match auth {
        Auth::Public => vec![],
        Auth::Bearer => vec![SecurityRequirement::new("bearer", none())],
        Auth::OptionalBearer => vec![
            SecurityRequirement::default(),
            SecurityRequirement::new("bearer", none()),
        ],
        Auth::ChatApp => {
            vec![SecurityRequirement::new("chatAppId", none()).add("chatSecret", none())]
        }
        Auth::PushApp => {
            vec![SecurityRequirement::new("pushAppId", none()).add("pushAppAuth", none())]
        }
        Auth::CounterApp => {
            vec![SecurityRequirement::new("counterAppId", none()).add("counterAppSecret", none())]
        }
    }
}

fn security_schemes() -> Vec<(&'static str, SecurityScheme)> {
    let header = |name: &str, about: &str| {
        SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(name, about)))
    };
    let mut bearer = Http::new(HttpAuthScheme::Bearer);
    bearer.bearer_format = Some("JWT".to_owned());
    bearer.description =
        Some("An access token from a sign-in (careers, campaign, accounts contracts).".to_owned());
    vec![
        ("bearer", SecurityScheme::Http(bearer)),
        ("chatAppId", header("QISCUS_SDK_APP_ID", "The chat app's id.")),
        ("chatSecret", header("QISCUS_SDK_SECRET", "The chat app's secret.")),
        ("pushAppId", header("X-App-Id", "The push app's id.")),
        (
            "pushAppAuth",
            header(
                "X-App-Auth",
                "The push app's secret, or its daily token (md5 of the app name, the date and the secret).",
            ),
        ),
        ("counterAppId", header("X-App-Id", "The counting app's id.")),
        ("counterAppSecret", header("X-App-Secret", "The counting app's secret.")),
    ]
}

/// The schema of a body that is `false` or a `T` (the push contract's device lookup).
pub fn false_or<T: ToSchema>(named: &mut Named) -> RefOr<Schema> {
    AnyOfBuilder::new()
        .item(of::<T>(named))
        .item(
            ObjectBuilder::new()
                .schema_type(Type::Boolean)
                .enum_values(Some([false])),
        )
        .into()
}

/// Any JSON value described only in words.
pub fn free_object(named: &mut Named) -> RefOr<Schema> {
    let _ = named;
    <serde_json::Value as PartialSchema>::schema()
}
