fn main() -> Result<(), lambda_http::Error> {
    users_shared::lambda::run(users_function::ROUTES)
}
