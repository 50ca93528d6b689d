fn main() -> Result<(), lambda_http::Error> {
    users_shared::lambda::run(social_function::ROUTES)
}
