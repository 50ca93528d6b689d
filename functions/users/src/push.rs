//! The push contract's users, channels and themes (app credentials).

use crate::UsersState;
use users_shared::contracts::push;
use users_shared::domain::TopicKind;
use users_shared::http::response::json;
use users_shared::http::{Call, Outcome};
use users_shared::service::devices;
use users_shared::service::push as push_service;
use users_shared::service::subscriptions;
use users_shared::service::topics;

pub async fn create_user(state: &UsersState, call: Call<'_>) -> Outcome {
    call.app(&state.store, &push::APP_HEADERS).await?;
    let email = push::new_user_email(&call.body()?)?;
    let user = push_service::create_user(&state.store, email).await?;
    Ok(push::ok(push::user(&user.summary())))
}

pub async fn get_user(state: &UsersState, call: Call<'_>) -> Outcome {
    call.app(&state.store, &push::APP_HEADERS).await?;
    let user = push_service::get_user(&state.store, call.user_id("id")?).await?;
    Ok(push::ok(push::user(&user.summary())))
}

pub async fn delete_user(state: &UsersState, call: Call<'_>) -> Outcome {
    call.app(&state.store, &push::APP_HEADERS).await?;
    push_service::delete_user(&state.store, call.user_id("id")?).await?;
    Ok(json(200, &push::deleted()))
}

pub async fn create_users(state: &UsersState, call: Call<'_>) -> Outcome {
    call.app(&state.store, &push::APP_HEADERS).await?;
    let emails = push::bulk_emails(&call.body()?)?;
    let outcome = push_service::create_users(&state.store, emails).await?;
    Ok(json(200, &push::bulk_created(&outcome)))
}

pub async fn list_users(state: &UsersState, call: Call<'_>) -> Outcome {
    call.app(&state.store, &push::APP_HEADERS).await?;
    let (page, limit) = push::page_and_limit(&call.query())?;
    let users = push_service::list_users(&state.store, page, limit).await?;
    Ok(push::ok(push::user_list(&users, page, limit)))
}

pub async fn add_device(state: &UsersState, call: Call<'_>) -> Outcome {
    call.app(&state.store, &push::APP_HEADERS).await?;
    let devices = push::new_devices(&call.body()?)?;
    let user = devices::add_devices(&state.store, call.user_id("id")?, &devices).await?;
    Ok(push::ok(push::user(&user.summary())))
}

pub async fn device_by_reference(state: &UsersState, call: Call<'_>) -> Outcome {
    call.app(&state.store, &push::APP_HEADERS).await?;
    let id = call.user_id("id")?;
    let reference = push::reference(&call.query())?;
    let found = devices::find_by_reference(&state.store, id, &reference).await?;
    Ok(push::ok(push::device_or_false(id, found.as_ref())))
}

pub async fn get_device(state: &UsersState, call: Call<'_>) -> Outcome {
    call.app(&state.store, &push::APP_HEADERS).await?;
    let id = call.user_id("id")?;
    let device_id = push::device_id(call.param("idDevice")?)?;
    let device = devices::get(&state.store, id, device_id).await?;
    Ok(push::ok(push::device(id, &device)))
}

pub async fn delete_device(state: &UsersState, call: Call<'_>) -> Outcome {
    call.app(&state.store, &push::APP_HEADERS).await?;
    let device_id = push::device_id(call.param("idDevice")?)?;
    devices::delete(&state.store, call.user_id("id")?, device_id).await?;
    Ok(json(200, &push::deleted()))
}

pub async fn delete_devices_of_type(state: &UsersState, call: Call<'_>) -> Outcome {
    call.app(&state.store, &push::APP_HEADERS).await?;
    let kind = push::device_kind(call.param("type")?)?;
    devices::delete_kind(&state.store, call.user_id("id")?, kind).await?;
    Ok(json(200, &push::deleted()))
}

pub async fn smartphones(state: &UsersState, call: Call<'_>) -> Outcome {
    call.app(&state.store, &push::APP_HEADERS).await?;
    let phones = devices::smartphones(&state.store, call.user_id("id")?).await?;
    Ok(push::ok(phones))
}

const CHANNEL: TopicKind = TopicKind::Channel;

pub async fn create_channel(state: &UsersState, call: Call<'_>) -> Outcome {
    call.app(&state.store, &push::APP_HEADERS).await?;
    let name = push::topic_name(&call.body()?)?;
    let channel = topics::create(&state.store, CHANNEL, name, None).await?;
    Ok(push::ok(push::channel(&channel)))
}

pub async fn get_channel(state: &UsersState, call: Call<'_>) -> Outcome {
    call.app(&state.store, &push::APP_HEADERS).await?;
    let id = push::topic_id(CHANNEL, call.param("id")?)?;
    let channel = topics::get(&state.store, CHANNEL, id).await?;
    Ok(push::ok(push::channel(&channel)))
}

pub async fn update_channel(state: &UsersState, call: Call<'_>) -> Outcome {
    call.app(&state.store, &push::APP_HEADERS).await?;
    let id = push::topic_id(CHANNEL, call.param("id")?)?;
    let name = push::topic_name(&call.body()?)?;
    let channel = topics::update(&state.store, CHANNEL, id, Some(name), None).await?;
    Ok(push::ok(push::channel(&channel)))
}

pub async fn delete_channel(state: &UsersState, call: Call<'_>) -> Outcome {
    call.app(&state.store, &push::APP_HEADERS).await?;
    let id = push::topic_id(CHANNEL, call.param("id")?)?;
    topics::delete(&state.store, CHANNEL, id).await?;
    Ok(json(200, &push::deleted()))
}

pub async fn list_channels(state: &UsersState, call: Call<'_>) -> Outcome {
    call.app(&state.store, &push::APP_HEADERS).await?;
    let (page, limit) = push::page_and_limit(&call.query())?;
    let channels = topics::list(&state.store, CHANNEL, page, limit).await?;
    Ok(push::ok(push::channel_list(&channels, page, limit)))
}

pub async fn channel_by_name(state: &UsersState, call: Call<'_>) -> Outcome {
    call.app(&state.store, &push::APP_HEADERS).await?;
    let name = push::name_query(&call.query())?;
    let channel = topics::by_name(&state.store, CHANNEL, &name).await?;
    Ok(push::ok(push::channel(&channel)))
}

const THEME: TopicKind = TopicKind::Theme;

pub async fn create_theme(state: &UsersState, call: Call<'_>) -> Outcome {
    call.app(&state.store, &push::APP_HEADERS).await?;
    let (name, range) = push::new_theme(&call.body()?)?;
    let theme = topics::create(&state.store, THEME, name, Some(range)).await?;
    Ok(push::ok(push::theme(&theme)))
}

pub async fn get_theme(state: &UsersState, call: Call<'_>) -> Outcome {
    call.app(&state.store, &push::APP_HEADERS).await?;
    let id = push::topic_id(THEME, call.param("id")?)?;
    let theme = topics::get(&state.store, THEME, id).await?;
    Ok(push::ok(push::theme(&theme)))
}

pub async fn update_theme(state: &UsersState, call: Call<'_>) -> Outcome {
    call.app(&state.store, &push::APP_HEADERS).await?;
    let id = push::topic_id(THEME, call.param("id")?)?;
    let (name, range) = push::theme_change(&call.body()?)?;
    let theme = topics::update(&state.store, THEME, id, name, range).await?;
    Ok(push::ok(push::theme(&theme)))
}

pub async fn delete_theme(state: &UsersState, call: Call<'_>) -> Outcome {
    call.app(&state.store, &push::APP_HEADERS).await?;
    let id = push::topic_id(THEME, call.param("id")?)?;
    topics::delete(&state.store, THEME, id).await?;
    Ok(json(200, &push::deleted()))
}

pub async fn list_themes(state: &UsersState, call: Call<'_>) -> Outcome {
    call.app(&state.store, &push::APP_HEADERS).await?;
    let (page, limit) = push::page_and_limit(&call.query())?;
    let themes = topics::list(&state.store, THEME, page, limit).await?;
    Ok(push::ok(push::theme_list(&themes, page, limit)))
}

pub async fn themes_in_range(state: &UsersState, call: Call<'_>) -> Outcome {
    call.app(&state.store, &push::APP_HEADERS).await?;
    let range = push::theme_range(call.param("range")?)?;
    let (page, limit) = push::page_and_limit(&call.query())?;
    let themes = topics::themes_in_range(&state.store, range, page, limit).await?;
    Ok(push::ok(push::theme_list(&themes, page, limit)))
}

pub async fn theme_by_name(state: &UsersState, call: Call<'_>) -> Outcome {
    call.app(&state.store, &push::APP_HEADERS).await?;
    let name = push::name_query(&call.query())?;
    let theme = topics::by_name(&state.store, THEME, &name).await?;
    Ok(push::ok(push::theme(&theme)))
}

fn channel_of(call: &Call<'_>) -> Result<u64, users_shared::service::ServiceError> {
    push::topic_id(CHANNEL, call.param("idchannel")?)
}

fn theme_of(call: &Call<'_>) -> Result<u64, users_shared::service::ServiceError> {
    push::topic_id(THEME, call.param("idtheme")?)
}

pub async fn subscribe(state: &UsersState, call: Call<'_>) -> Outcome {
    call.app(&state.store, &push::APP_HEADERS).await?;
    let channel = channel_of(&call)?;
    let member = subscriptions::subscribe(&state.store, call.user_id("id")?, channel).await?;
    Ok(push::ok(push::subscription(&member)))
}

pub async fn get_subscription(state: &UsersState, call: Call<'_>) -> Outcome {
    call.app(&state.store, &push::APP_HEADERS).await?;
    let channel = channel_of(&call)?;
    let member = subscriptions::get(&state.store, CHANNEL, call.user_id("id")?, channel).await?;
    Ok(push::ok(push::subscription(&member)))
}

pub async fn unsubscribe(state: &UsersState, call: Call<'_>) -> Outcome {
    call.app(&state.store, &push::APP_HEADERS).await?;
    let channel = channel_of(&call)?;
    let member = subscriptions::remove(&state.store, CHANNEL, call.user_id("id")?, channel).await?;
    Ok(push::ok(push::subscription(&member)))
}

pub async fn list_subscriptions(state: &UsersState, call: Call<'_>) -> Outcome {
    call.app(&state.store, &push::APP_HEADERS).await?;
    let members = subscriptions::of_user(&state.store, CHANNEL, call.user_id("id")?).await?;
    Ok(push::ok(push::subscriptions(&members)))
}

pub async fn create_preference(state: &UsersState, call: Call<'_>) -> Outcome {
    call.app(&state.store, &push::APP_HEADERS).await?;
    let theme = theme_of(&call)?;
    let option = push::preference_option(&call.body()?)?;
    let member =
        subscriptions::create_preference(&state.store, call.user_id("id")?, theme, option).await?;
    Ok(push::ok(push::preference(&member)))
}

pub async fn get_preference(state: &UsersState, call: Call<'_>) -> Outcome {
    call.app(&state.store, &push::APP_HEADERS).await?;
    let theme = theme_of(&call)?;
    let member = subscriptions::get(&state.store, THEME, call.user_id("id")?, theme).await?;
    Ok(push::ok(push::preference(&member)))
}

pub async fn update_preference(state: &UsersState, call: Call<'_>) -> Outcome {
    call.app(&state.store, &push::APP_HEADERS).await?;
    let theme = theme_of(&call)?;
    let option = push::preference_option(&call.body()?)?;
    subscriptions::update_preference(&state.store, call.user_id("id")?, theme, option).await?;
    Ok(push::ok(true))
}

pub async fn delete_preference(state: &UsersState, call: Call<'_>) -> Outcome {
    call.app(&state.store, &push::APP_HEADERS).await?;
    let theme = theme_of(&call)?;
    subscriptions::remove(&state.store, THEME, call.user_id("id")?, theme).await?;
    Ok(push::ok(true))
}

pub async fn list_preferences(state: &UsersState, call: Call<'_>) -> Outcome {
    call.app(&state.store, &push::APP_HEADERS).await?;
    let id = call.user_id("id")?;
    let (page, limit) = push::page_and_limit(&call.query())?;
    let members = subscriptions::preferences_page(&state.store, id, page, limit).await?;
    Ok(push::ok(push::preference_list(&members, page, limit)))
}

pub async fn set_all_preferences(state: &UsersState, call: Call<'_>) -> Outcome {
    call.app(&state.store, &push::APP_HEADERS).await?;
    let option = push::preference_option(&call.body()?)?;
    subscriptions::set_all_preferences(&state.store, call.user_id("id")?, option).await?;
    Ok(push::ok(true))
}
