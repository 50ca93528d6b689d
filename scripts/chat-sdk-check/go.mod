// The chat SDK check (scripts/chat-sdk-check.sh). The SDK and its dependencies are never part of
// this project and the Go module proxy is not used: the script builds from a copy of this file
// under .local/ to which it adds `replace` directives (go mod edit) pointing at local sources:
// the SDK checkout (CHAT_SDK_DIR), zerolog from Debian's golang-github-rs-zerolog-dev, and empty
// stand-ins for the modules the graph names but no built package imports.
module users-service/chat-sdk-check

go 1.19

require github.com/Qiscus-Integration/qiscus-go v1.0.0

require github.com/rs/zerolog v1.25.0 // indirect
