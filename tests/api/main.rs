//! The black-box tests, one binary: HTTP against the local API (the same handlers and route
//! table as the Lambdas), storage on DynamoDB Local, SNS/SQS on moto. One module per area;
//! the harness and every shared fixture live in [`support`].
//!
//! Needs the local stack: run with `scripts/test.sh`, which starts it.

mod proxy;
mod support;

mod abuse_limits;
mod accounts_profile;
mod accounts_signup;
mod admin_tool;
mod campaign_auth;
mod campaign_profile;
mod campaign_settings;
mod careers_directory;
mod careers_register;
mod careers_sessions;
mod chat_admin;
mod chat_login_or_register;
mod chat_users;
mod concurrency;
mod counters;
mod cross_contract;
mod directory_cost;
mod docs_page;
mod events;
mod faults;
mod log_hygiene;
mod notifications;
mod private_answers;
mod push_app_token;
mod push_channels;
mod push_devices;
mod push_email_devices;
mod push_preferences;
mod push_subscriptions;
mod push_users;
mod request_bodies;
mod round_trips;
mod security_findings;
mod social_graph;
mod staff_backend;
mod stats;
mod tampered_tokens;
mod user_import;
