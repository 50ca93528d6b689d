//! The campaign app's sign-up and sign-out, and the app's and backend's checks.

use crate::AuthState;
use users_shared::contracts::campaign;
use users_shared::http::response::json;
use users_shared::http::{Call, Outcome};
use users_shared::service::{accounts, sessions};

pub async fn register(state: &AuthState, call: Call<'_>) -> Outcome {
    let account = campaign::new_account(&call.body()?)?;
    let client = call.client_address();
    let user = accounts::register_without_session(&state.store, account, &client).await?;
    Ok(json(201, &campaign::registered(user.id)))
}

pub async fn logout(state: &AuthState, call: Call<'_>) -> Outcome {
    let caller = call.caller(state).await?;
    sessions::logout(&state.store, &caller, None).await?;
    Ok(json(200, &campaign::logged_out()))
}

pub async fn check_auth(state: &AuthState, call: Call<'_>) -> Outcome {
    let caller = call.optional_caller(state).await?;
    Ok(json(
        200,
        &campaign::auth_state(caller.as_ref().map(|c| &c.user)),
    ))
}

/// With credentials in the body it checks them; without, it reports the login state.
pub async fn check_validate(state: &AuthState, call: Call<'_>) -> Outcome {
    match campaign::credentials(&call.body()?)? {
        Some((name, password)) => {
            let client = call.client_address();
            let valid = sessions::validate(&state.store, name, password, &client).await?;
            Ok(json(200, &campaign::validation(valid.as_ref())))
        }
        None => {
            let caller = call.optional_caller(state).await?;
            Ok(json(
                200,
                &campaign::login_state(caller.as_ref().map(|c| &c.user)),
            ))
        }
    }
}

pub async fn check_email(state: &AuthState, call: Call<'_>) -> Outcome {
    let email = campaign::email_to_check(&call.body()?)?;
    let staff = call
        .optional_caller(state)
        .await?
        .is_some_and(|c| c.user.is_staff);
    let client = call.client_address();
    let check = accounts::check_email(&state.store, &email, staff, &client).await?;
    Ok(json(200, &campaign::email_check(check)))
}

pub async fn check_login(state: &AuthState, call: Call<'_>) -> Outcome {
    let caller = call.optional_caller(state).await?;
    let user = caller.as_ref().map(|c| &c.user);
    Ok(json(200, &campaign::backend_login_state(user)))
}
