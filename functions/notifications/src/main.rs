fn main() -> Result<(), lambda_http::Error> {
    users_shared::lambda::run(notifications_function::ROUTES)
}
