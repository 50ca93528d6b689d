fn main() -> Result<(), lambda_http::Error> {
    users_shared::lambda::run(docs_function::ROUTES)
}
