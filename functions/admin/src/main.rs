fn main() -> Result<(), lambda_http::Error> {
    users_shared::lambda::run(admin_function::ROUTES)
}
