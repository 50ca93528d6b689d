// Tries the chat-server contract as a real server would: through its official Go SDK,
// Qiscus-Integration/qiscus-go (package sdk), configured with NewSDKFromEnv, calling the user
// calls a server makes: LoginOrRegister (a new user, then
// again with a password), GetUserProfile, GetUsers, GetUserToken, ResetUserToken, DeactivateUser
// and ReactivateUser, and LoginOrRegister with a wrong secret (the SDK's error path). The SDK
// has no method for get_unread_users and get_user_unread_count, so those two are called the way
// its other methods call the server: qiscus.NewHttpRequest with the app headers and parameters
// (`user_ids[]` repeated, as the SDK sends lists), decoded by the SDK's DoRequest. Prints one line per call, `ok` or `FAILED <why>`, then `N passed, M
// failed`; exits 1 when anything failed. Run through scripts/chat-sdk-check.sh, which starts the
// local API, creates an app with `userctl app create` and sets:
//
//	QISCUS_APP_ID, QISCUS_SECRET_KEY  the app's id and secret (the SDK's NewSDKFromEnv)
//	QISCUS_API_BASE                   http://127.0.0.1:<port>, the local API
//	CHAT_SDK_CHECK_VERBOSE            when set, the wire exchanges of passing calls too
//
// The requests and the decoding of the answers are the SDK's own. The check only puts an
// observing transport under the SDK's http.Client (qiscus.DefaultHttpClient) so that a failure
// line can say what the SDK sent and what the service answered, and it recovers the SDK's panic
// on a transport error (DoRequest reads res.StatusCode of a nil response).
package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"time"

	qiscus "github.com/Qiscus-Integration/qiscus-go"
	"github.com/Qiscus-Integration/qiscus-go/sdk"
)

// exchange is one request the SDK sent and the answer it got.
type exchange struct {
	method, url string
	header      http.Header
	body        string
	status      int
	respHeader  http.Header
	respBody    string
	err         error
}

// observer records every exchange made through the SDK's client, unchanged.
type observer struct {
	next http.RoundTripper
	log  []exchange
}

func (o *observer) RoundTrip(req *http.Request) (*http.Response, error) {
	ex := exchange{method: req.Method, url: req.URL.String(), header: req.Header.Clone()}
	if req.Body != nil {
		b, _ := io.ReadAll(req.Body)
		req.Body.Close()
		ex.body = string(b)
		req.Body = io.NopCloser(bytes.NewReader(b))
	}
	res, err := o.next.RoundTrip(req)
	if err == nil {
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		res.Body = io.NopCloser(bytes.NewReader(b))
		ex.status = res.StatusCode
		ex.respHeader = res.Header.Clone()
		ex.respBody = strings.TrimSpace(string(b))
	}
	ex.err = err
	o.log = append(o.log, ex)
	return res, err
}

var (
	seen   = &observer{next: http.DefaultTransport}
	passed int
	failed int
)

// sent describes a request as the SDK put it on the wire, credentials elided.
func (ex exchange) sent() string {
	var names []string
	for k := range ex.header {
		names = append(names, k)
	}
	sort.Strings(names)
	var hs []string
	for _, k := range names {
		v := strings.Join(ex.header[k], ",")
		if strings.Contains(strings.ToUpper(k), "SECRET") {
			v = "…"
		}
		hs = append(hs, k+": "+v)
	}
	s := fmt.Sprintf("%s %s [%s]", ex.method, ex.url, strings.Join(hs, "; "))
	if ex.body != "" {
		s += " body " + ex.body
	}
	return s
}

func (ex exchange) answered() string {
	if ex.status == 0 {
		return fmt.Sprintf("no answer (%v)", ex.err)
	}
	body := ex.respBody
	if len(body) > 400 {
		body = body[:400] + "…"
	}
	return fmt.Sprintf("%d %s", ex.status, body)
}

// failure is a check's reason for failing; the wire exchanges of the call are appended.
type failure string

func failf(format string, args ...interface{}) error { return failure(fmt.Sprintf(format, args...)) }
func (f failure) Error() string                      { return string(f) }

// sdkErr turns the SDK's error into a failure that names status and message.
func sdkErr(e *qiscus.Error) error {
	return failf("SDK error: status %d: %s", e.GetStatusCode(), e.GetMessage())
}

// check runs one SDK call and prints its line; fn may return nil (ok) or an error.
func check(label string, fn func() error) {
	start := len(seen.log)
	var err error
	func() {
		defer func() {
			if r := recover(); r != nil {
				err = failf("the SDK panicked: %v", r)
			}
		}()
		err = fn()
	}()
	if err == nil {
		passed++
		fmt.Printf("%-34s ok\n", label)
	} else {
		failed++
		fmt.Printf("%-34s FAILED %s\n", label, err)
	}
	if err == nil && os.Getenv("CHAT_SDK_CHECK_VERBOSE") == "" {
		return
	}
	for _, ex := range seen.log[start:] {
		fmt.Printf("%-34s   sent: %s\n", "", ex.sent())
		fmt.Printf("%-34s   got:  %s\n", "", ex.answered())
	}
}

// bearerStatus asks the local API who the token belongs to, outside the SDK, to tell whether a
// token from GetUserToken / ResetUserToken signs the user in (careers GET /careers/users/me/).
// pushSend makes a unicast theme (if there is none yet) and sends it `times` to the user,
// through the push contract with the same app credential.
func pushSend(base, appID, secret string, user int, times int) error {
	post := func(path string, form string) (int, string, error) {
		req, _ := http.NewRequest(http.MethodPost, base+path, strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-App-Id", appID)
		req.Header.Set("X-App-Auth", secret)
		res, err := (&http.Client{Timeout: 20 * time.Second}).Do(req)
		if err != nil {
			return 0, "", err
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b), nil
	}
	if st, body, err := post("/theme", "name=sdk-check&range=unicast"); err != nil || (st != 200 && st != 409) {
		return failf("POST /theme answered %d %s %v", st, body, err)
	}
	for i := 0; i < times; i++ {
		form := fmt.Sprintf("theme=sdk-check&message=hello&user_id=%d", user)
		if st, body, err := post("/send", form); err != nil || st != 200 || !strings.Contains(body, "true") {
			return failf("POST /send answered %d %s %v", st, body, err)
		}
	}
	return nil
}

func bearerStatus(base, token string) (int, error) {
	req, _ := http.NewRequest(http.MethodGet, base+"/careers/users/me/", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := (&http.Client{Timeout: 20 * time.Second}).Do(req)
	if err != nil {
		return 0, err
	}
	res.Body.Close()
	return res.StatusCode, nil
}

func main() {
	qiscus.DefaultHttpClient.Transport = seen
	qiscus.DefaultHttpClient.Timeout = 30 * time.Second

	s, err := sdk.NewSDKFromEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, "chat-sdk-check:", err)
		os.Exit(2)
	}
	base := strings.TrimRight(s.APIBase(), "/")
	if base == sdk.APIBase {
		fmt.Fprintln(os.Stderr, "chat-sdk-check: QISCUS_API_BASE is not set; refusing to call", sdk.APIBase)
		os.Exit(2)
	}

	stamp := time.Now().UTC().Format("20060102150405.000000")
	stamp = strings.ReplaceAll(stamp, ".", "")
	userID := "sdk-check-" + stamp
	firstName := "SDK Check " + stamp
	secondName := "SDK Check Renamed " + stamp
	password := "sdk-check-password-" + stamp
	avatar := "https://example.com/avatars/sdk-check.png"

	// The SDK's results.user, field for field (a conversion target for both answers).
	type user struct {
		Active    bool
		AvatarURL string
		Extras    struct{}
		UserID    string
		Username  string
	}
	wantUser := func(status int, u user, name string, active bool) error {
		switch {
		case status != 200:
			return failf("status %d in the body, want 200", status)
		case u.UserID != userID:
			return failf("results.user.user_id %q, want %q", u.UserID, userID)
		case u.Username != name:
			return failf("results.user.username %q, want %q", u.Username, name)
		case u.Active != active:
			return failf("results.user.active %v, want %v", u.Active, active)
		}
		return nil
	}
	created := false

	// 1. A new user as a server first signs one in: no password, no avatar (the SDK still sends
	// both, as "").
	check("LoginOrRegister (new user)", func() error {
		r, e := s.LoginOrRegister(&sdk.LoginOrRegisterReq{UserID: userID, Username: firstName})
		if e != nil {
			return sdkErr(e)
		}
		if err := wantUser(r.Status, user(r.Results.User), firstName, true); err != nil {
			return err
		}
		created = true
		return nil
	})

	// 2. The same user again, now with a password and an avatar: the display name changes.
	check("LoginOrRegister (with password)", func() error {
		r, e := s.LoginOrRegister(&sdk.LoginOrRegisterReq{UserID: userID, Username: secondName,
			Password: password, AvatarURL: avatar})
		if e != nil {
			return sdkErr(e)
		}
		if err := wantUser(r.Status, user(r.Results.User), secondName, true); err != nil {
			return err
		}
		if r.Results.User.AvatarURL != avatar {
			return failf("results.user.avatar_url %q, want %q", r.Results.User.AvatarURL, avatar)
		}
		return nil
	})
	// The name the service holds now, for the calls below.
	name := firstName
	if created {
		name = secondName
	}

	check("GetUserProfile", func() error {
		r, e := s.GetUserProfile(userID)
		if e != nil {
			return sdkErr(e)
		}
		return wantUser(r.Status, user(r.Results.User), name, true)
	})

	var numericID int
	// The SDK's defaults: page 1, limit 20, show_all=false, order "created_at desc nulls last";
	// the newest user, this one, comes first.
	check("GetUsers", func() error {
		r, e := s.GetUsers(&sdk.GetUsersReq{})
		if e != nil {
			return sdkErr(e)
		}
		if r.Status != 200 {
			return failf("status %d in the body, want 200", r.Status)
		}
		if r.Results.Meta.TotalData < 1 || r.Results.Meta.TotalPage < 1 {
			return failf("results.meta %+v, want total_data and total_page ≥ 1", r.Results.Meta)
		}
		if len(r.Results.Users) == 0 {
			return failf("results.users is empty")
		}
		u := r.Results.Users[0]
		if u.Username != name {
			return failf("first of results.users (created_at desc) has username %q, want %q", u.Username, name)
		}
		numericID = u.ID
		if u.ID == 0 || u.CreatedAt.IsZero() || u.UpdatedAt.IsZero() {
			return failf("first of results.users has id %d, created_at %v, updated_at %v; want all set",
				u.ID, u.CreatedAt, u.UpdatedAt)
		}
		if !u.Active {
			return failf("first of results.users has active false, want true")
		}
		return nil
	})

	firstToken := ""
	check("GetUserToken", func() error {
		r, e := s.GetUserToken(userID)
		if e != nil {
			return sdkErr(e)
		}
		if r.Status != 200 {
			return failf("status %d in the body, want 200", r.Status)
		}
		if r.Results.Token == "" {
			return failf("results.token is empty")
		}
		firstToken = r.Results.Token
		if st, err := bearerStatus(base, firstToken); err != nil || st != 200 {
			return failf("the token does not sign the user in: GET /careers/users/me/ answered %d %v", st, err)
		}
		return nil
	})

	check("ResetUserToken", func() error {
		r, e := s.ResetUserToken(userID)
		if e != nil {
			return sdkErr(e)
		}
		if r.Status != 200 {
			return failf("status %d in the body, want 200", r.Status)
		}
		if r.Results.Token == "" {
			return failf("results.token is empty")
		}
		if r.Results.Token == firstToken {
			return failf("results.token is the token GetUserToken gave")
		}
		if st, err := bearerStatus(base, r.Results.Token); err != nil || st != 200 {
			return failf("the new token does not sign the user in: GET /careers/users/me/ answered %d %v", st, err)
		}
		if firstToken != "" {
			if st, err := bearerStatus(base, firstToken); err != nil || st != 401 {
				return failf("the earlier token still answers %d %v on GET /careers/users/me/, want 401", st, err)
			}
		}
		return nil
	})

	// Two notifications for the user through the push contract (same app credential), then
	// the unread routes through the SDK's own request helper.
	// A GET of an unread route the way the SDK's own methods make one: its request helper, the
	// app headers, and a window of an hour either side of now.
	unreadRequest := func(path string, resp interface{}) qiscus.HttpRequest {
		r := qiscus.NewHttpRequest(http.MethodGet, base+path, nil, resp)
		r.AddHeader("QISCUS_SDK_APP_ID", s.QiscusAppID())
		r.AddHeader("QISCUS_SDK_SECRET", s.QiscusSecretKey())
		r.AddParameter("start_time", time.Now().UTC().Add(-time.Hour).Format("2006-01-02 15:04:05"))
		r.AddParameter("end_time", time.Now().UTC().Add(time.Hour).Format("2006-01-02 15:04:05"))
		return r
	}
	check("get_user_unread_count (SDK request helper)", func() error {
		if err := pushSend(base, s.QiscusAppID(), s.QiscusSecretKey(), numericID, 2); err != nil {
			return err
		}
		var resp struct {
			Results struct {
				UserUnreadCount []struct {
					UnreadCount int    `json:"unread_count"`
					UserID      string `json:"user_id"`
				} `json:"user_unread_count"`
			} `json:"results"`
			Status int `json:"status"`
		}
		r := unreadRequest("/api/v2.1/rest/get_user_unread_count", &resp)
		r.AddParameter("user_ids[]", userID)
		r.AddParameter("user_ids[]", "nobody-"+userID)
		if e := r.DoRequest(); e != nil {
			return sdkErr(e)
		}
		got := resp.Results.UserUnreadCount
		if resp.Status != 200 || len(got) != 2 {
			return failf("status %d and %d counts, want 200 and 2", resp.Status, len(got))
		}
		if got[0].UserID != userID || got[0].UnreadCount != 2 || got[1].UnreadCount != 0 {
			return failf("counts %+v, want %s: 2 and nobody: 0", got, userID)
		}
		return nil
	})
	check("get_unread_users (SDK request helper)", func() error {
		var resp struct {
			Results struct {
				UserIDs []string `json:"user_ids"`
			} `json:"results"`
			Status int `json:"status"`
		}
		r := unreadRequest("/api/v2.1/rest/get_unread_users", &resp)
		r.AddParameter("page", "1")
		r.AddParameter("limit", "100")
		if e := r.DoRequest(); e != nil {
			return sdkErr(e)
		}
		for _, id := range resp.Results.UserIDs {
			if id == userID {
				return nil
			}
		}
		return failf("results.user_ids %v does not hold %s", resp.Results.UserIDs, userID)
	})

	// The SDK's error path: a wrong secret is refused with 401, which the SDK reports as its
	// error's status code after decoding the body into the answer (status 401 there too).
	check("LoginOrRegister (wrong secret)", func() error {
		bad := sdk.NewSDK(s.QiscusAppID(), "not-the-secret")
		bad.SetAPIBase(s.APIBase())
		r, e := bad.LoginOrRegister(&sdk.LoginOrRegisterReq{UserID: userID, Username: name, Password: password})
		if e == nil {
			return failf("no SDK error, want status 401")
		}
		if e.GetStatusCode() != 401 {
			return failf("SDK error with status %d (%s), want 401", e.GetStatusCode(), e.GetMessage())
		}
		if r.Status != 401 {
			return failf("status %d in the body, want 401", r.Status)
		}
		return nil
	})

	profileActive := func(want bool) error {
		p, e := s.GetUserProfile(userID)
		if e != nil {
			return failf("then GetUserProfile: %s", sdkErr(e))
		}
		if p.Results.User.Active != want {
			return failf("then GetUserProfile shows active %v, want %v", p.Results.User.Active, want)
		}
		return nil
	}

	check("DeactivateUser", func() error {
		r, e := s.DeactivateUser(&sdk.DeactivateUserReq{UserIDs: []string{userID}})
		if e != nil {
			return sdkErr(e)
		}
		if r.Status != 200 {
			return failf("status %d in the body, want 200", r.Status)
		}
		if want := "1 users deactivated"; r.Results.Message != want {
			return failf("results.message %q, want %q", r.Results.Message, want)
		}
		return profileActive(false)
	})

	check("ReactivateUser", func() error {
		r, e := s.ReactivateUser(&sdk.ReactivateUserReq{UserIDs: []string{userID}})
		if e != nil {
			return sdkErr(e)
		}
		if r.Status != 200 {
			return failf("status %d in the body, want 200", r.Status)
		}
		if want := "1 users reactivated"; r.Results.Message != want {
			return failf("results.message %q, want %q", r.Results.Message, want)
		}
		return profileActive(true)
	})

	fmt.Println("not tried (no route of the chat contract served here):",
		"CreateRoom, GetOrCreateRoomWithTarget, GetRoomsInfo, UpdateRoom, GetRoomParticipants,",
		"AddRoomParticipants, RemoveRoomParticipants, GetUserRooms, PostComment, LoadComments,",
		"PostSystemEventMessage, GetUnreadCount, LoadCommentsWithRange, GetOrCreateChannel,",
		"GetAverageReplyTimeUser, GetWebhookLogs")
	fmt.Printf("%d passed, %d failed\n", passed, failed)
	if failed > 0 {
		os.Exit(1)
	}
}
