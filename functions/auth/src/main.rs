fn main() -> Result<(), lambda_http::Error> {
    users_shared::lambda::run(auth_function::ROUTES)
}
