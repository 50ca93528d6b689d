//! Local tooling, never deployed: the local API server (the same handlers the Lambdas run,
//! mounted through the route table of `template.yaml`) and provisioning of the local stack
//! (the table and topic `template.yaml` declares, created on DynamoDB Local and moto).

pub mod admin;
pub mod provision;
pub mod server;
pub mod template;

/// The SAM template, compiled in: the one list of routes, the table and the topic.
pub const TEMPLATE_YAML: &str = include_str!("../../template.yaml");
