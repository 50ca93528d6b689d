fn main() -> Result<(), lambda_http::Error> {
    users_shared::lambda::run(preferences_function::ROUTES)
}
