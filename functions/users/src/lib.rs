//! The `users` function: profiles and user lists of the careers, accounts, campaign and chat
//! contracts, and the push contract's users, channels, themes, subscriptions and preferences. It only verifies tokens; it holds no signing key.
//!
//! [`ROUTES`] is the function's route table: one row per route, naming the contract whose
//! error shapes it speaks and its handler, which lives in that contract's module.

mod accounts;
mod campaign;
mod careers;
mod chat;
mod push;

use users_shared::http::Route;
use users_shared::route;

/// What the function builds once per cold start: the table and the public key (no signing key).
pub type UsersState = users_shared::lambda::Sessions;

/// This function's routes; `template.yaml` declares exactly these (a test checks it).
pub const ROUTES: &[Route<UsersState>] = &[
    route!(Get "/careers/users/me", Drf, careers::me),
    route!(Get "/careers/users", Drf, careers::list),
    route!(Get "/careers/users/{username}", Drf, careers::profile),
    route!(Get "/careers/users/me/stats", Drf, careers::my_stats),
    route!(Get "/careers/users/{username}/stats", Drf, careers::stats),
    route!(Patch "/careers/users/me/update", Drf, careers::update_me),
    route!(Get "/api/v1/accounts/users/{pk}", Accounts, accounts::get),
    route!(Patch "/api/v1/accounts/users/{pk}", Accounts, accounts::update),
    route!(Get "/api/v2.1/rest/user_profile", Chat, chat::user_profile),
    route!(Get "/api/v2.1/rest/get_user_list", Chat, chat::user_list),
    route!(Delete "/api/v2.1/rest/deactivate_users", Chat, chat::deactivate_users),
    route!(Post "/api/v2.1/rest/reactivate_users", Chat, chat::reactivate_users),
    route!(Post "/api/update/profile", Campaign, campaign::update_profile),
    route!(Post "/api/user/counters", Campaign, campaign::change_counters),
    route!(Post "/user", Push, push::create_user),
    route!(Get "/user/{id}", Push, push::get_user),
    route!(Delete "/user/{id}", Push, push::delete_user),
    route!(Post "/users", Push, push::create_users),
    route!(Get "/users", Push, push::list_users),
    route!(Post "/user/{id}/device", Push, push::add_device),
    route!(Get "/user/{id}/device", Push, push::device_by_reference),
    route!(Get "/user/{id}/device/{idDevice}", Push, push::get_device),
    route!(Delete "/user/{id}/device/{idDevice}", Push, push::delete_device),
    route!(Delete "/user/{id}/device/type/{type}", Push, push::delete_devices_of_type),
    route!(Get "/user/{id}/smartphones", Push, push::smartphones),
    route!(Post "/channel", Push, push::create_channel),
    route!(Get "/channel/{id}", Push, push::get_channel),
    route!(Put "/channel/{id}", Push, push::update_channel),
    route!(Delete "/channel/{id}", Push, push::delete_channel),
    route!(Get "/channels", Push, push::list_channels),
    route!(Get "/channel_name", Push, push::channel_by_name),
    route!(Post "/theme", Push, push::create_theme),
    route!(Get "/theme/{id}", Push, push::get_theme),
    route!(Put "/theme/{id}", Push, push::update_theme),
    route!(Delete "/theme/{id}", Push, push::delete_theme),
    route!(Get "/themes", Push, push::list_themes),
    route!(Get "/themes/range/{range}", Push, push::themes_in_range),
    route!(Get "/theme_name", Push, push::theme_by_name),
    route!(Post "/user/{id}/subscribe/{idchannel}", Push, push::subscribe),
    route!(Get "/user/{id}/subscribed/{idchannel}", Push, push::get_subscription),
    route!(Delete "/user/{id}/subscribed/{idchannel}", Push, push::unsubscribe),
    route!(Get "/user/{id}/subscribed", Push, push::list_subscriptions),
    route!(Post "/user/{id}/preference/{idtheme}", Push, push::create_preference),
    route!(Get "/user/{id}/preference/{idtheme}", Push, push::get_preference),
    route!(Put "/user/{id}/preference/{idtheme}", Push, push::update_preference),
    route!(Delete "/user/{id}/preference/{idtheme}", Push, push::delete_preference),
    route!(Get "/user/{id}/preferences", Push, push::list_preferences),
    route!(Put "/user/{id}/preferences", Push, push::set_all_preferences),
];
