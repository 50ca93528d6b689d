//! The local API: one HTTP server on loopback that routes each request through the route
//! table of `template.yaml` to the function that serves it, and calls that function's own
//! handler with the request as `lambda_http` would give it. Logs one line per request.

use crate::template::{Template, TemplateError, TemplateRoute};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpRequestContext;
use lambda_http::request::RequestContext;
use lambda_http::{Body, RequestExt};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;
use tokio::net::TcpListener;
use users_shared::config::{Config, ConfigError};
use users_shared::http::routing::{match_path, parameter_count};
use users_shared::http::{dispatch, HttpResponse};
use users_shared::lambda::FunctionState;

/// API Gateway refuses payloads over 10 MB before any function sees them.
const GATEWAY_PAYLOAD_LIMIT: usize = 10 * 1024 * 1024;

/// Every function's state, built as each Lambda builds its own at a cold start.
#[derive(Debug)]
pub struct Functions {
    pub auth: auth_function::AuthState,
    pub users: users_function::UsersState,
    pub social: social_function::SocialState,
    pub admin: admin_function::AdminState,
    pub preferences: preferences_function::PreferencesState,
    pub notifications: notifications_function::NotificationsState,
    pub docs: docs_function::DocsState,
    /// The scheduled stats job (no HTTP route): run by `userctl stats now` or a test.
    pub stats_job: stats_job_function::StatsJobState,
}

impl Functions {
    pub fn new(config: &Config, sdk: &aws_config::SdkConfig) -> Result<Self, ConfigError> {
        // Only the auth function is given the signing key, as in the template.
        let verify_only = Config {
            private_key_pem: None,
            ..config.clone()
        };
        Ok(Self {
            auth: auth_function::AuthState::new(config, sdk)?,
            users: users_function::UsersState::new(&verify_only, sdk)?,
            social: social_function::SocialState::new(&verify_only, sdk)?,
            admin: admin_function::AdminState::new(&verify_only, sdk)?,
            preferences: preferences_function::PreferencesState::new(&verify_only, sdk)?,
            notifications: notifications_function::NotificationsState::new(&verify_only, sdk)?,
            docs: docs_function::DocsState::build()?,
            stats_job: stats_job_function::StatsJobState::new(
                config.store(sdk),
                users_shared::service::stats::DEFAULT_SEGMENTS,
            ),
        })
    }

    /// Runs the handler of the function `logical_id` names in the template.
    async fn invoke(
        &self,
        logical_id: &str,
        request: lambda_http::Request,
    ) -> Option<HttpResponse> {
        Some(match logical_id {
            "AuthFunction" => dispatch(auth_function::ROUTES, &self.auth, request).await,
            "UsersFunction" => dispatch(users_function::ROUTES, &self.users, request).await,
            "SocialFunction" => dispatch(social_function::ROUTES, &self.social, request).await,
            "AdminFunction" => dispatch(admin_function::ROUTES, &self.admin, request).await,
            "NotificationsFunction" => {
                dispatch(notifications_function::ROUTES, &self.notifications, request).await
            }
            "PreferencesFunction" => {
                dispatch(preferences_function::ROUTES, &self.preferences, request).await
            }
            "DocsFunction" => dispatch(docs_function::ROUTES, &self.docs, request).await,
            _ => return None,
        })
    }

    /// The logical ids of the functions with HTTP routes this server can run.
    pub const KNOWN: &'static [&'static str] = &[
        "AdminFunction",
        "AuthFunction",
        "DocsFunction",
        "NotificationsFunction",
        "PreferencesFunction",
        "SocialFunction",
        "UsersFunction",
    ];

    /// The logical ids of the functions without HTTP routes that a schedule invokes (the
    /// delivery worker also the table's stream): the server mounts nothing for them. The local
    /// API runs the delivery worker in a background loop; the stats job runs with
    /// `userctl stats now`.
    pub const SCHEDULED: &'static [&'static str] = &["DeliveryFunction", "StatsJobFunction"];

    /// Whether the server can serve (or knowingly leave aside) the template's `function`.
    fn runs(function: &crate::template::FunctionDef) -> bool {
        let id = function.logical_id.as_str();
        if function.routes.is_empty() && function.scheduled {
            Self::SCHEDULED.contains(&id)
        } else {
            Self::KNOWN.contains(&id)
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LocalApiError {
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error("template.yaml declares function {0}, which the local API cannot run")]
    UnknownFunction(String),
}

/// The route table of the template, bound to the functions' handlers.
pub struct LocalApi {
    template: Template,
    functions: Functions,
    /// The template's routes as `(route, function's logical id)`, those with fewer
    /// parameters first: the first that matches a request is API Gateway's choice.
    routes: Vec<(TemplateRoute, String)>,
}

impl LocalApi {
    pub fn new(template: Template, functions: Functions) -> Result<Self, LocalApiError> {
        if let Some(unknown) = template.functions.iter().find(|f| !Functions::runs(f)) {
            return Err(LocalApiError::UnknownFunction(unknown.logical_id.clone()));
        }
        let mut routes: Vec<(TemplateRoute, String)> = template
            .routes()
            .map(|(function, route)| (route.clone(), function.logical_id.clone()))
            .collect();
        // Stable: of routes with as many parameters, the template's order decides, as before.
        routes.sort_by_key(|(route, _)| parameter_count(&route.path));
        Ok(Self {
            template,
            functions,
            routes,
        })
    }

    pub fn functions(&self) -> &Functions {
        &self.functions
    }

    /// Runs the handler of the function whose binary (`functions/<binary>/`) is `binary`, as
    /// the Lambda runtime would with an event of that function; `None` for an unknown binary.
    pub async fn invoke(
        &self,
        binary: &str,
        request: lambda_http::Request,
    ) -> Option<HttpResponse> {
        let function = self
            .template
            .functions
            .iter()
            .find(|f| f.binary == binary)?;
        self.functions.invoke(&function.logical_id, request).await
    }

    /// Routes like API Gateway: the template's route or a 404 in the gateway's own words.
    pub async fn dispatch(&self, request: lambda_http::Request) -> HttpResponse {
        // Like API Gateway: of the matching routes, the one with the fewest parameters.
        let target = self.routes.iter().find(|(route, _)| {
            route.method.as_str() == request.method().as_str()
                && match_path(&route.path, request.uri().path()).is_some()
        });
        let response = match target {
            Some((_, logical_id)) => self.functions.invoke(logical_id, request).await,
            None => None,
        };
        response.unwrap_or_else(|| {
            users_shared::http::response::json(404, &serde_json::json!({"message": "Not Found"}))
        })
    }
}

/// The request a Lambda behind an HTTP API would be given.
async fn to_lambda_request(
    request: hyper::Request<hyper::body::Incoming>,
    peer: SocketAddr,
) -> Result<lambda_http::Request, HttpResponse> {
    let (parts, body) = request.into_parts();
    let bytes = match Limited::new(body, GATEWAY_PAYLOAD_LIMIT).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            return Err(users_shared::http::response::json(
                413,
                &serde_json::json!({"message": "Request Entity Too Large"}),
            ))
        }
    };
    let body = if bytes.is_empty() {
        Body::Empty
    } else {
        match String::from_utf8(bytes.to_vec()) {
            Ok(text) => Body::Text(text),
            Err(e) => Body::Binary(e.into_bytes()),
        }
    };
    let mut context = ApiGatewayV2httpRequestContext::default();
    context.stage = Some("$default".to_owned());
    context.http.method = parts.method.clone();
    context.http.path = Some(parts.uri.path().to_owned());
    context.http.source_ip = Some(peer.ip().to_string());
    context.http.protocol = Some("HTTP/1.1".to_owned());
    let request = lambda_http::Request::from_parts(parts, body);
    Ok(request.with_request_context(RequestContext::ApiGatewayV2(context)))
}

fn to_hyper_response(response: HttpResponse) -> hyper::Response<Full<Bytes>> {
    let (parts, body) = response.into_parts();
    let bytes = match body {
        Body::Empty => Bytes::new(),
        Body::Text(text) => Bytes::from(text),
        Body::Binary(bytes) => Bytes::from(bytes),
        _ => Bytes::new(),
    };
    hyper::Response::from_parts(parts, Full::new(bytes))
}

async fn handle(
    api: Arc<LocalApi>,
    request: hyper::Request<hyper::body::Incoming>,
    peer: SocketAddr,
) -> hyper::Response<Full<Bytes>> {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = match to_lambda_request(request, peer).await {
        Ok(request) => api.dispatch(request).await,
        Err(refused) => refused,
    };
    let millis = started.elapsed().as_secs_f64() * 1000.0;
    tracing::info!(
        "{method} {path} {} {millis:.1}ms",
        response.status().as_u16()
    );
    to_hyper_response(response)
}

/// Serves `api` on `listener` until the task is dropped.
pub async fn serve(listener: TcpListener, api: Arc<LocalApi>) {
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                tracing::warn!("accept failed: {e}");
                continue;
            }
        };
        let api = api.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                let api = api.clone();
                async move { Ok::<_, Infallible>(handle(api, request, peer).await) }
            });
            let io = hyper_util::rt::TokioIo::new(stream);
            // Header names as clients spell them (`X-Status-Reason`): the push contract's
            // official client looks them up case-sensitively.
            let mut builder = http1::Builder::new();
            builder.title_case_headers(true);
            if let Err(e) = builder.serve_connection(io, service).await {
                tracing::debug!("connection closed with an error: {e}");
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::template::{Template, TemplateRoute};
    use users_shared::http::routing::Route;

    fn declared<S>(routes: &[Route<S>]) -> Vec<TemplateRoute> {
        let mut list: Vec<TemplateRoute> = routes
            .iter()
            .map(|r| TemplateRoute {
                method: r.method,
                path: r.path.to_owned(),
            })
            .collect();
        list.sort();
        list
    }

    fn template_routes(logical_id: &str) -> Vec<TemplateRoute> {
        let template = Template::parse(crate::TEMPLATE_YAML).unwrap();
        let function = template
            .functions
            .iter()
            .find(|f| f.logical_id == logical_id);
        function
            .unwrap_or_else(|| panic!("{logical_id} is not in template.yaml"))
            .routes
            .clone()
    }

    #[test]
    fn template_and_auth_function_declare_the_same_routes() {
        assert_eq!(
            template_routes("AuthFunction"),
            declared(auth_function::ROUTES)
        );
    }

    #[test]
    fn template_and_users_function_declare_the_same_routes() {
        assert_eq!(
            template_routes("UsersFunction"),
            declared(users_function::ROUTES)
        );
    }

    #[test]
    fn template_and_social_function_declare_the_same_routes() {
        assert_eq!(
            template_routes("SocialFunction"),
            declared(social_function::ROUTES)
        );
    }

    #[test]
    fn template_and_admin_function_declare_the_same_routes() {
        assert_eq!(
            template_routes("AdminFunction"),
            declared(admin_function::ROUTES)
        );
    }

    #[test]
    fn template_and_preferences_function_declare_the_same_routes() {
        assert_eq!(
            template_routes("PreferencesFunction"),
            declared(preferences_function::ROUTES)
        );
    }

    #[test]
    fn template_and_notifications_function_declare_the_same_routes() {
        assert_eq!(
            template_routes("NotificationsFunction"),
            declared(notifications_function::ROUTES)
        );
    }

    #[test]
    fn template_and_docs_function_declare_the_same_routes() {
        assert_eq!(
            template_routes("DocsFunction"),
            declared(docs_function::ROUTES)
        );
    }

    #[test]
    fn the_local_api_runs_every_http_function_of_the_template() {
        let template = Template::parse(crate::TEMPLATE_YAML).unwrap();
        let mut with_routes: Vec<&str> = template
            .functions
            .iter()
            .filter(|f| !f.routes.is_empty())
            .map(|f| f.logical_id.as_str())
            .collect();
        with_routes.sort();
        assert_eq!(with_routes, super::Functions::KNOWN);
    }

    #[test]
    fn every_function_without_http_routes_is_a_known_scheduled_job() {
        let template = Template::parse(crate::TEMPLATE_YAML).unwrap();
        let mut without_routes: Vec<&str> = template
            .functions
            .iter()
            .filter(|f| f.routes.is_empty())
            .inspect(|f| assert!(f.scheduled, "{} has no event at all", f.logical_id))
            .map(|f| f.logical_id.as_str())
            .collect();
        without_routes.sort();
        assert_eq!(without_routes, super::Functions::SCHEDULED);
    }

    #[test]
    fn the_local_api_accepts_the_project_template() {
        let template = Template::parse(crate::TEMPLATE_YAML).unwrap();
        assert!(template.functions.iter().all(super::Functions::runs));
    }

    #[test]
    fn template_binaries_are_the_function_crates_binaries() {
        let template = Template::parse(crate::TEMPLATE_YAML).unwrap();
        for function in &template.functions {
            let manifest = format!(
                "{}/../functions/{}/Cargo.toml",
                env!("CARGO_MANIFEST_DIR"),
                function.binary
            );
            let text =
                std::fs::read_to_string(&manifest).unwrap_or_else(|_| panic!("{manifest} missing"));
            assert!(
                text.contains(&format!("name = \"{}\"", function.binary)),
                "{manifest}"
            );
        }
    }
}
