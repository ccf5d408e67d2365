package apigatewayv2_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/gureum/gureum/internal/gureumtest"
)

// TestWebSocketAcrossNodes runs two servers on one PostgreSQL database: a client holds a
// connection on node A, and PostToConnection, GetConnection and DeleteConnection made on node B
// reach it (through the store and its notifier); a connection no node holds is GoneException.
func TestWebSocketAcrossNodes(t *testing.T) {
	backends := gureumtest.Backends(t)
	if len(backends) < 2 {
		t.Skip("NOTICE: " + gureumtest.PostgresEnv + " is not set; skipping the two-node WebSocket test")
	}
	pg := backends[1]
	a := gureumtest.Start(t, gureumtest.Options{Args: append([]string{"--log-level", "warn"}, pg.Args...)})
	b := gureumtest.Start(t, gureumtest.Options{Args: append([]string{"--log-level", "warn"}, pg.Args...)})
	id := wsAPI(t, a)
	ctx, cancel := context.WithTimeout(bg, 30*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(a.Endpoint, "http")+"/_gureum/execute-api-v2/"+id+"/prod?token=ok", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	if err := conn.Write(ctx, websocket.MessageText, []byte(`{"action":"whoami"}`)); err != nil {
		t.Fatal(err)
	}
	_, msg, err := conn.Read(ctx)
	var got map[string]string
	if err != nil || json.Unmarshal(msg, &got) != nil || got["id"] == "" {
		t.Fatalf("whoami = %s %v", msg, err)
	}
	connID := got["id"]

	manage := func(srv *gureumtest.Server, method, connID, body string) (int, string) {
		req, _ := http.NewRequest(method, srv.Endpoint+"/_gureum/execute-api-v2/"+id+"/prod/@connections/"+connID, strings.NewReader(body))
		gureumtest.Sign(t, req, []byte(body), "execute-api")
		status, _, got := gureumtest.Do(t, req)
		return status, got
	}
	if status, body := manage(b, "POST", connID, "from B"); status != 200 {
		t.Fatalf("PostToConnection on B = %d %s; want 200", status, body)
	}
	if _, pushed, err := conn.Read(ctx); err != nil || string(pushed) != "from B" {
		t.Fatalf("client on A read %q %v; want B's message", pushed, err)
	}
	status, body := manage(b, "GET", connID, "")
	var info struct{ ConnectedAt string }
	if json.Unmarshal([]byte(body), &info); status != 200 || info.ConnectedAt == "" {
		t.Errorf("GetConnection on B = %d %s", status, body)
	}
	if status, _ := manage(b, "POST", "bm9zdWNoY29ubmVjdGk=", "x"); status != 410 {
		t.Errorf("PostToConnection on B to no connection = %d; want 410", status)
	}
	if status, _ := manage(b, "DELETE", connID, ""); status != 204 {
		t.Errorf("DeleteConnection on B = %d; want 204", status)
	}
	if _, _, err := conn.Read(ctx); err == nil {
		t.Error("client read after DeleteConnection on B succeeded; want the connection closed")
	}
}
