//! The DynamoDB calls of every route, counted on the wire: each event of `events/` (the ones
//! `events.rs` replays) is replayed on fresh fixtures through its function's handler, whose
//! table client goes through a proxy that records each call (operation, request body, when it
//! started and ended). The calls per operation, the sequential round trips (waves of calls:
//! calls that overlap share one) and the capacity units must equal the route's row of the
//! round-trip table in `docs/data-model.md`, and every route must have exactly one row. A
//! change that adds a call or a round trip to a route fails here; the failure lists the
//! measured rows, to put in the table when the change is meant.

use crate::events::{event_files, expected_status, prepare, route_key};
use crate::proxy::{sessions_behind, waves, Proxy, TimedCall};
use crate::support::TestApp;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use users_shared::http::{dispatch, HttpResponse};
use users_shared::lambda::Sessions;

const BEGIN: &str = "<!-- round-trips:begin -->";
const END: &str = "<!-- round-trips:end -->";

/// How long the proxy holds each answer: calls made concurrently then overlap even when
/// DynamoDB Local answers the first of them at once.
const LATENCY: std::time::Duration = std::time::Duration::from_millis(20);

/// A route: (function folder, method, path as the template writes it).
type Key = (String, String, String);

#[derive(Debug, Clone, PartialEq, Eq)]
struct Cost {
    /// Calls per operation.
    calls: BTreeMap<String, u64>,
    /// Waves of calls: round trips one after the other.
    sequential: u64,
    /// As the table writes it: `RRU 2.5, WRU 9`, or `—`.
    capacity: String,
}

/// The calls per operation.
fn counts(calls: &[TimedCall]) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    for call in calls {
        *counts.entry(call.operation.clone()).or_default() += 1;
    }
    counts
}

/// The rows of the round-trip table in `docs/data-model.md`.
fn documented_rows() -> BTreeMap<Key, Cost> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/data-model.md");
    let text = std::fs::read_to_string(path).expect("docs/data-model.md");
    let start = text
        .find(BEGIN)
        .expect("the round-trip table's begin marker")
        + BEGIN.len();
    let end = text.find(END).expect("the round-trip table's end marker");
    let mut rows = BTreeMap::new();
    for line in text[start..end].lines().map(str::trim) {
        if !line.starts_with('|') || line.starts_with("|---") || line.starts_with("| function") {
            continue;
        }
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        let [function, method, path, calls, sequential, capacity] = cells[..] else {
            panic!("a row of six cells: {line}");
        };
        let path = path.trim_matches('`');
        let calls = if calls == "—" {
            BTreeMap::new()
        } else {
            calls
                .split(", ")
                .map(|pair| {
                    let (operation, count) = pair.rsplit_once(' ').expect("`Operation n`");
                    (operation.to_owned(), count.parse().expect("a count"))
                })
                .collect()
        };
        let cost = Cost {
            calls,
            sequential: sequential.parse().expect("sequential round trips"),
            capacity: capacity.to_owned(),
        };
        let key = (function.to_owned(), method.to_owned(), path.to_owned());
        assert!(
            rows.insert(key.clone(), cost).is_none(),
            "two rows for {key:?}"
        );
    }
    rows
}

/// On-demand capacity of the calls, from their requests: every item is taken to be under 1 KB
/// (so a read of one is under 4 KB), and every Query or Scan to return under 4 KB (true of the
/// fixtures). A strongly consistent read unit is 1 RRU, an eventually consistent one 0.5 RRU
/// (index queries are always eventually consistent); a write is 1 WRU per item; transactions
/// cost 2 per item (ConditionCheck included). Index writes are not counted.
fn capacity(calls: &[TimedCall]) -> String {
    let mut half_reads = 0u64;
    let mut writes = 0u64;
    for call in calls {
        let body: Value = serde_json::from_slice(&call.body).unwrap_or(Value::Null);
        let read = |request: &Value| {
            if request["ConsistentRead"] == true {
                2
            } else {
                1
            }
        };
        let items = |list: &Value| list.as_array().map_or(0, |a| a.len() as u64);
        match call.operation.as_str() {
            "GetItem" | "Query" | "Scan" => half_reads += read(&body),
            "BatchGetItem" => {
                for request in body["RequestItems"].as_object().into_iter().flatten() {
                    half_reads += read(request.1) * items(&request.1["Keys"]);
                }
            }
            "TransactGetItems" => half_reads += 4 * items(&body["TransactItems"]),
            "PutItem" | "UpdateItem" | "DeleteItem" => writes += 1,
            "BatchWriteItem" => {
                for requests in body["RequestItems"].as_object().into_iter().flatten() {
                    writes += items(requests.1);
                }
            }
            "TransactWriteItems" => writes += 2 * items(&body["TransactItems"]),
            other => panic!("no capacity rule for {other}"),
        }
    }
    let mut parts = Vec::new();
    if half_reads > 0 {
        let whole = half_reads / 2;
        parts.push(if half_reads.is_multiple_of(2) {
            format!("RRU {whole}")
        } else {
            format!("RRU {whole}.5")
        });
    }
    if writes > 0 {
        parts.push(format!("WRU {writes}"));
    }
    if parts.is_empty() {
        "—".to_owned()
    } else {
        parts.join(", ")
    }
}

fn row(key: &Key, cost: &Cost) -> String {
    let calls = if cost.calls.is_empty() {
        "—".to_owned()
    } else {
        cost.calls
            .iter()
            .map(|(operation, count)| format!("{operation} {count}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "| {} | {} | `{}` | {calls} | {} | {} |",
        key.0, key.1, key.2, cost.sequential, cost.capacity
    )
}

/// The states of the functions with a table client, built as `Functions::new` builds them, the
/// table reached through `proxy`.
struct States {
    auth: auth_function::AuthState,
    sessions: Sessions,
}

impl States {
    async fn behind(app: &TestApp, proxy: &Proxy) -> Self {
        let verifier = app.config.verifier().unwrap();
        Self {
            auth: auth_function::AuthState {
                signer: app.config.signer(&verifier).unwrap(),
                notifier: app.api.functions().auth.notifier.clone(),
                sessions: sessions_behind(app, proxy).await,
            },
            sessions: sessions_behind(app, proxy).await,
        }
    }

    /// Runs the handler of the function `functions/<binary>/`.
    async fn invoke(
        &self,
        app: &TestApp,
        binary: &str,
        request: lambda_http::Request,
    ) -> HttpResponse {
        let sessions = &self.sessions;
        match binary {
            "auth" => dispatch(auth_function::ROUTES, &self.auth, request).await,
            "users" => dispatch(users_function::ROUTES, sessions, request).await,
            "social" => dispatch(social_function::ROUTES, sessions, request).await,
            "admin" => dispatch(admin_function::ROUTES, sessions, request).await,
            "preferences" => dispatch(preferences_function::ROUTES, sessions, request).await,
            "notifications" => dispatch(notifications_function::ROUTES, sessions, request).await,
            // The docs function's state holds no table client: it cannot make a call.
            "docs" => app.api.invoke(binary, request).await.expect("docs"),
            other => panic!("events/{other}: a function this test does not know"),
        }
    }
}

/// Replays each event (fixtures made a few at a time, the replays one at a time so that no
/// other work runs beside the calls being timed) and measures what its route costs.
async fn measure() -> BTreeMap<Key, Cost> {
    let mut measured = BTreeMap::new();
    let events = event_files();
    for batch in events.chunks(6) {
        let mut preparing = tokio::task::JoinSet::new();
        for (index, (function, name, text)) in batch.iter().cloned().enumerate() {
            preparing.spawn(async move {
                let app = TestApp::spawn().await;
                let request = prepare(&app, &function, &name, &text).await;
                (index, app, request)
            });
        }
        let mut prepared = Vec::new();
        while let Some(outcome) = preparing.join_next().await {
            prepared.push(outcome.expect("fixtures"));
        }
        prepared.sort_by_key(|(index, _, _)| *index);
        for (index, app, request) in prepared {
            let (function, name, text) = &batch[index];
            let proxy = Proxy::to_dynamodb().await;
            proxy.hold_answers(LATENCY);
            let states = States::behind(&app, &proxy).await;
            proxy.take_timed_calls();
            let response = states.invoke(&app, function, request).await;
            let calls = proxy.take_timed_calls();
            assert_eq!(
                u64::from(response.status().as_u16()),
                expected_status(function, name, text),
                "{function}/{name}: {:?}",
                response.body()
            );
            let route = route_key(text);
            let (method, path) = route.split_once(' ').expect("METHOD /path");
            let cost = Cost {
                calls: counts(&calls),
                sequential: waves(&calls),
                capacity: capacity(&calls),
            };
            let key = (function.clone(), method.to_owned(), path.to_owned());
            assert!(
                measured.insert(key, cost).is_none(),
                "two events of {function} {route}"
            );
        }
    }
    measured
}

#[tokio::test]
async fn every_route_makes_the_calls_and_round_trips_of_its_row() {
    let documented = documented_rows();
    let routes: BTreeSet<Key> = event_files()
        .iter()
        .map(|(function, _, text)| {
            let route = route_key(text);
            let (method, path) = route.split_once(' ').expect("METHOD /path");
            (function.clone(), method.to_owned(), path.to_owned())
        })
        .collect();
    let rows: BTreeSet<Key> = documented.keys().cloned().collect();
    assert_eq!(
        rows.difference(&routes).collect::<Vec<_>>(),
        Vec::<&Key>::new(),
        "rows of docs/data-model.md without a route"
    );
    let measured = measure().await;
    let wrong: Vec<String> = measured
        .iter()
        .filter(|(key, cost)| documented.get(*key) != Some(*cost))
        .map(|(key, cost)| match documented.get(key) {
            Some(row_cost) => format!(
                "documented {}\n measured  {}",
                row(key, row_cost),
                row(key, cost)
            ),
            None => format!("no row for {}", row(key, cost)),
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "{}\n\nThe measured table:\n{}",
        wrong.join("\n"),
        measured
            .iter()
            .map(|(key, cost)| row(key, cost))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn waves_count_calls_that_overlap_once() {
    let t0 = std::time::Instant::now();
    let at = |ms: u64| t0 + std::time::Duration::from_millis(ms);
    let call = |start, end| TimedCall {
        operation: "GetItem".to_owned(),
        body: Vec::new(),
        start: at(start),
        end: at(end),
    };
    assert_eq!(waves(&[]), 0);
    assert_eq!(waves(&[call(0, 5)]), 1);
    // Two in parallel, then one after both, then one after that.
    assert_eq!(
        waves(&[call(0, 5), call(1, 7), call(8, 9), call(10, 12)]),
        3
    );
    // A chain of two beside a long call is two round trips, however long the long call.
    assert_eq!(waves(&[call(0, 10), call(2, 3), call(4, 6)]), 2);
    assert_eq!(waves(&[call(0, 4), call(0, 3), call(3, 6)]), 2);
    // Calls that all overlap do not chain.
    assert_eq!(waves(&[call(0, 5), call(1, 9), call(2, 12)]), 1);
}

/// What later requests of the same process cost, once it holds follow ids and knows the
/// usernames it looked up (the table shows a first request).
#[tokio::test]
async fn later_requests_of_a_process_make_the_fewer_calls_the_table_notes() {
    use crate::proxy::request;
    use lambda_http::http::Method;
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    for name in ["bob", "carol", "dave"] {
        app.register(name).await;
    }
    let erin = app.register("erin").await;
    let bearer = |body: &Value| format!("Bearer {}", body["access"].as_str().unwrap());
    let (alice_bearer, erin_bearer) = (bearer(&alice), bearer(&erin));
    let json = [
        ("authorization", alice_bearer.as_str()),
        ("content-type", "application/json"),
    ];
    let proxy = Proxy::to_dynamodb().await;
    proxy.hold_answers(LATENCY);
    let states = States::behind(&app, &proxy).await;
    let cost = |calls: Vec<TimedCall>| (counts(&calls), waves(&calls));
    let of = |pairs: &[(&str, u64)]| -> BTreeMap<String, u64> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
    };
    let follow = |name: &str| {
        request(
            Method::POST,
            "/careers/users/follow/",
            &json,
            Some(&format!(r#"{{"username": "{name}"}}"#)),
        )
    };

    proxy.take_timed_calls();
    let first = states.invoke(&app, "social", follow("bob")).await;
    assert_eq!(first.status(), 201);
    assert_eq!(
        cost(proxy.take_timed_calls()),
        (
            of(&[
                ("BatchGetItem", 1),
                ("TransactWriteItems", 1),
                ("UpdateItem", 1)
            ]),
            2
        ),
        "the first follow reads the session and the name's guard in one call, and takes a \
         block of ids beside it"
    );
    let second = states.invoke(&app, "social", follow("carol")).await;
    assert_eq!(second.status(), 201);
    assert_eq!(
        cost(proxy.take_timed_calls()),
        (of(&[("BatchGetItem", 1), ("TransactWriteItems", 1)]), 2),
        "later follows take their id from the block"
    );
    let unfollow = |name: &str| {
        request(
            Method::DELETE,
            &format!("/careers/users/{name}/unfollow/"),
            &json,
            None,
        )
    };
    assert_eq!(
        states
            .invoke(&app, "social", unfollow("bob"))
            .await
            .status(),
        200
    );
    proxy.take_timed_calls();
    let again = states.invoke(&app, "social", follow("bob")).await;
    assert_eq!(again.status(), 201);
    assert_eq!(
        cost(proxy.take_timed_calls()),
        (of(&[("TransactWriteItems", 1)]), 1),
        "a follow between users the process knows is one transaction, which checks the \
         caller's session and account itself"
    );

    let profile = || request(Method::GET, "/careers/users/dave/", &[], None);
    assert_eq!(states.invoke(&app, "users", profile()).await.status(), 200);
    assert_eq!(cost(proxy.take_timed_calls()), (of(&[("GetItem", 2)]), 2));
    assert_eq!(states.invoke(&app, "users", profile()).await.status(), 200);
    assert_eq!(
        cost(proxy.take_timed_calls()),
        (of(&[("GetItem", 1)]), 1),
        "a username looked up before: the user by id alone"
    );

    let list = |who: &str| {
        request(
            Method::GET,
            "/careers/users/?batch_size=10",
            &[("authorization", who)],
            None,
        )
    };
    assert_eq!(
        states
            .invoke(&app, "users", list(&erin_bearer))
            .await
            .status(),
        200
    );
    assert_eq!(
        cost(proxy.take_timed_calls()),
        (of(&[("BatchGetItem", 1), ("Query", 1)]), 1),
        "the session and the count in one call, the page beside it; erin follows nobody"
    );
    assert_eq!(
        states
            .invoke(&app, "users", list(&alice_bearer))
            .await
            .status(),
        200
    );
    assert_eq!(
        cost(proxy.take_timed_calls()),
        (of(&[("BatchGetItem", 2), ("Query", 1)]), 2),
        "alice follows two of them: which, is one more read"
    );

    // Signed out, alice's follow between users the process knows is tried as one transaction,
    // refused by its check of her session, and answered 401 after her authentication is read.
    assert_eq!(
        states
            .invoke(&app, "social", unfollow("carol"))
            .await
            .status(),
        200
    );
    let logout = request(
        Method::POST,
        "/careers/users/logout/",
        &json,
        Some(&serde_json::json!({"refresh": alice["refresh"]}).to_string()),
    );
    assert_eq!(states.invoke(&app, "auth", logout).await.status(), 200);
    proxy.take_timed_calls();
    let refused = states.invoke(&app, "social", follow("carol")).await;
    assert_eq!(refused.status(), 401);
    assert_eq!(
        cost(proxy.take_timed_calls()),
        (of(&[("BatchGetItem", 1), ("TransactWriteItems", 1)]), 2),
        "the transaction refused, then the caller's authentication read"
    );
}

/// Reads by key asked for at the same moment go out as one call, each answered with its own
/// items (a key asked for twice is read once); a read alone is one GetItem; a failed call fails
/// every read that was in it, and the next reads work again.
#[tokio::test]
async fn reads_asked_for_together_are_one_call_and_each_gets_its_own_items() {
    use crate::proxy::{FORWARD, REFUSE};
    use users_shared::domain::UserId;
    use users_shared::store::StoreError;
    let app = TestApp::spawn().await;
    let alice = UserId::new(app.register("alice").await["user"]["id"].as_u64().unwrap());
    let bob = UserId::new(app.register("bob").await["user"]["id"].as_u64().unwrap());
    let proxy = Proxy::to_dynamodb().await;
    let store = store_behind(&app, &proxy).await;
    proxy.take_timed_calls();

    let (first, second, again, count, owner) = tokio::join!(
        store.get_user(alice),
        store.get_user(bob),
        store.get_user(alice),
        store.user_count(),
        store.username_owner("bob"),
    );
    let calls = proxy.take_timed_calls();
    assert_eq!(
        counts(&calls),
        BTreeMap::from([("BatchGetItem".to_owned(), 1)])
    );
    let keys: Value = serde_json::from_slice(&calls[0].body).unwrap();
    let asked = keys["RequestItems"][app.table.as_str()]["Keys"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(
        asked,
        2 + 10 + 1,
        "alice once, bob, the count's shards, bob's guard"
    );
    assert_eq!(first.unwrap().unwrap().username.as_str(), "alice");
    assert_eq!(second.unwrap().unwrap().username.as_str(), "bob");
    assert_eq!(again.unwrap().unwrap().username.as_str(), "alice");
    assert_eq!(count.unwrap(), 2);
    assert_eq!(owner.unwrap().map(|(id, _)| id), Some(bob));

    store.get_user(bob).await.unwrap();
    assert_eq!(
        counts(&proxy.take_timed_calls()),
        BTreeMap::from([("GetItem".to_owned(), 1)])
    );

    proxy.set(REFUSE);
    let (first, second) = tokio::join!(store.get_user(alice), store.user_count());
    assert!(
        matches!(first, Err(StoreError::Unavailable { .. })),
        "{first:?}"
    );
    assert!(
        matches!(second, Err(StoreError::Unavailable { .. })),
        "{second:?}"
    );
    proxy.set(FORWARD);
    let (first, second) = tokio::join!(store.get_user(alice), store.user_count());
    assert_eq!(first.unwrap().unwrap().id, alice);
    assert_eq!(second.unwrap(), 2);
}

/// A read that joined a gathering read still gets its items when the read it joined is
/// dropped: before it took the batch, or while its call was under way.
#[tokio::test]
async fn a_read_whose_gathering_read_is_dropped_reads_alone() {
    use std::future::Future;
    use std::task::{Context, Poll, Waker};
    use users_shared::domain::UserId;
    use users_shared::store::Store;
    let app = TestApp::spawn().await;
    let alice = UserId::new(app.register("alice").await["user"]["id"].as_u64().unwrap());
    let store = Store::new(
        &users_shared::config::aws_sdk_config().await,
        app.table.as_str(),
    );
    let mut cx = Context::from_waker(Waker::noop());
    for polls_of_the_leader in [1, 2] {
        let mut leader = Box::pin(store.get_user(alice));
        let mut joiner = Box::pin(store.user_count());
        assert!(
            leader.as_mut().poll(&mut cx).is_pending(),
            "the leader waits a turn"
        );
        assert!(
            joiner.as_mut().poll(&mut cx).is_pending(),
            "the count joins it"
        );
        for _ in 1..polls_of_the_leader {
            // The leader takes the batch and starts the call.
            assert!(matches!(leader.as_mut().poll(&mut cx), Poll::Pending));
        }
        drop(leader);
        assert_eq!(
            joiner.await.unwrap(),
            1,
            "dropped after {polls_of_the_leader} poll(s)"
        );
    }
    assert_eq!(
        store
            .get_user(alice)
            .await
            .unwrap()
            .unwrap()
            .username
            .as_str(),
        "alice"
    );
}

/// Requests of one process that find its block of follow ids used up together wait for one
/// block instead of each taking one (and throwing away the one before); when taking a block
/// fails, they fail with it, not each after a call of its own.
#[tokio::test]
async fn follow_ids_are_taken_one_block_at_a_time() {
    use crate::proxy::{FORWARD, THROTTLE};
    use users_shared::store::FOLLOW_ID_BLOCK;
    let app = TestApp::spawn().await;
    let proxy = Proxy::to_dynamodb().await;
    let store = store_behind(&app, &proxy).await;
    proxy.take_timed_calls();
    let wanted = FOLLOW_ID_BLOCK + 10;
    let mut requests = tokio::task::JoinSet::new();
    for _ in 0..wanted {
        let store = store.clone();
        requests.spawn(async move { store.next_follow_id().await });
    }
    let ids: std::collections::BTreeSet<u64> = requests
        .join_all()
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(ids.len() as u64, wanted, "every id given once");
    assert_eq!(
        counts(&proxy.take_timed_calls()),
        BTreeMap::from([("UpdateItem".to_owned(), 2)]),
        "{wanted} ids: two blocks"
    );

    let fresh = || store_behind(&app, &proxy);
    proxy.set(THROTTLE);
    let asked = || proxy.requests.load(std::sync::atomic::Ordering::SeqCst);
    assert!(fresh().await.next_follow_id().await.is_err());
    let one_failure = asked();
    let store = fresh().await;
    let mut requests = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let store = store.clone();
        requests.spawn(async move { store.next_follow_id().await });
    }
    let failed = requests.join_all().await;
    proxy.set(FORWARD);
    assert!(failed.iter().all(Result::is_err), "{failed:?}");
    assert_eq!(
        asked() - one_failure,
        one_failure,
        "20 requests failing together tried to take one block"
    );
    assert!(
        store.next_follow_id().await.is_ok(),
        "and the next one works"
    );
}

/// A store of the test's table whose calls all go through `proxy`.
async fn store_behind(app: &TestApp, proxy: &Proxy) -> users_shared::store::Store {
    users_shared::store::Store::new(
        &users_shared::config::aws_sdk_config().await,
        app.table.as_str(),
    )
    .with_endpoint(&format!("http://127.0.0.1:{}", proxy.port))
}
