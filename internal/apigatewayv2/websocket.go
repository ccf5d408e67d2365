package apigatewayv2

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/gureum/gureum/internal/request"
)

// AWS's limits on a WebSocket connection: closed after 10 minutes without a message, and after
// two hours whatever it does; a message (or frame) of at most 128 KB.
const (
	wsIdleTimeout = 10 * time.Minute
	wsMaxDuration = 2 * time.Hour
	wsMaxMessage  = 128 << 10
)

// wsInFlight is how many of a connection's messages may run their routes at once. AWS invokes a
// message's integration without waiting for the one before it; a connection past this many
// waits (its reads stop) until one ends.
const wsInFlight = 16

// hub is the WebSocket connections this node holds, by connection id. A connection lives on
// the node its client reached; @connections calls reach it through that node.
type hub struct {
	mu    sync.Mutex
	conns map[string]*wsConn
}

func newHub() *hub { return &hub{conns: map[string]*wsConn{}} }

// wsConn is one client connection to a WebSocket API.
type wsConn struct {
	id          string
	apiID       string
	stage       string
	conn        *websocket.Conn
	connectedAt time.Time
	sourceIP    string
	userAgent   string
	mu          sync.Mutex
	lastActive  time.Time
	cancel      context.CancelFunc
}

func (h *hub) add(c *wsConn) {
	h.mu.Lock()
	h.conns[c.id] = c
	h.mu.Unlock()
}

func (h *hub) remove(id string) {
	h.mu.Lock()
	delete(h.conns, id)
	h.mu.Unlock()
}

func (h *hub) get(id string) *wsConn {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.conns[id]
}

// closeWhere closes the connections for which match holds.
func (h *hub) closeWhere(match func(*wsConn) bool) {
	h.mu.Lock()
	var doomed []*wsConn
	for _, c := range h.conns {
		if match(c) {
			doomed = append(doomed, c)
		}
	}
	h.mu.Unlock()
	for _, c := range doomed {
		c.cancel()
	}
}

func (h *hub) closeAPI(apiID string) { h.closeWhere(func(c *wsConn) bool { return c.apiID == apiID }) }

func (h *hub) closeStage(apiID, stage string) {
	h.closeWhere(func(c *wsConn) bool { return c.apiID == apiID && c.stage == stage })
}

// Start joins the nodes' @connections calls (when nodes share the store; connections come
// with requests).
func (s *Service) Start(context.Context) error {
	s.stopNodes = s.startNodes()
	return nil
}

// Stop closes every WebSocket connection this node holds (their $disconnect routes run).
func (s *Service) Stop() {
	s.sockets.closeWhere(func(*wsConn) bool { return true })
	if s.stopNodes != nil {
		s.stopNodes()
	}
}

// newConnectionID is a connection id in AWS's form: 15 characters of base64 and a "=".
func newConnectionID() string {
	return randomString(15, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") + "="
}

// serveWebSocket answers a request to a WebSocket API: the @connections management API under
// /<stage>/@connections/{id}, or an upgrade to a connection on /<stage>.
func (s *Service) serveWebSocket(w http.ResponseWriter, r *http.Request, api *cachedAPI, rest, requestID string) {
	stageName, tail, _ := strings.Cut(strings.TrimPrefix(rest, "/"), "/")
	stageName = unescape(stageName)
	ss, err := api.stage(r.Context(), s, stageName)
	if err != nil {
		writeGatewayError(w, errInternal)
		return
	}
	if ss == nil {
		writeGatewayError(w, errForbidden)
		return
	}
	if id, ok := strings.CutPrefix(tail, "@connections/"); ok {
		s.manageConnection(w, r, api, stageName, unescape(id))
		return
	}
	if tail != "" || !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
		writeGatewayError(w, errForbidden)
		return
	}
	s.connect(w, r, api, ss, requestID)
}

// wsCall is what a WebSocket event is built from.
type wsCall struct {
	c         *wsConn
	api       *cachedAPI
	ss        *servedStage
	r         *http.Request // the upgrade request
	eventType string        // CONNECT, MESSAGE, DISCONNECT
	routeKey  string
	body      []byte
	binary    bool
	requestID string
	auth      map[string]any
}

// event builds the WebSocket event (aws-lambda-go's events.APIGatewayWebsocketProxyRequest).
func (s *Service) wsEvent(wc *wsCall) []byte {
	now := s.now()
	rc := map[string]any{
		"routeKey": wc.routeKey, "eventType": wc.eventType, "messageDirection": "IN", "stage": wc.ss.stage.StageName,
		"connectedAt": wc.c.connectedAt.UnixMilli(), "requestTimeEpoch": now.UnixMilli(),
		"requestTime": now.UTC().Format("02/Jan/2006:15:04:05 -0700"), "requestId": wc.requestID, "extendedRequestId": wc.requestID,
		"domainName": hostOnly(wc.r.Host), "connectionId": wc.c.id, "apiId": wc.api.doc.API.APIID,
		"identity": map[string]any{"sourceIp": wc.c.sourceIP, "userAgent": wc.c.userAgent},
	}
	if wc.eventType == "MESSAGE" {
		rc["messageId"] = newID(16)
	}
	if wc.eventType == "DISCONNECT" {
		rc["disconnectStatusCode"] = 1005
		rc["disconnectReason"] = ""
	}
	if wc.auth != nil {
		rc["authorizer"] = wc.auth
	}
	ev := map[string]any{"requestContext": rc, "isBase64Encoded": wc.binary}
	if wc.eventType == "CONNECT" {
		h, mh := map[string]string{}, map[string][]string{}
		for k, vs := range wc.r.Header {
			h[k], mh[k] = vs[len(vs)-1], vs
		}
		ev["headers"], ev["multiValueHeaders"] = h, mh
		if q := queryValues(wc.r.URL.RawQuery); len(q) > 0 {
			single := map[string]string{}
			for k, vs := range q {
				single[k] = vs[len(vs)-1]
			}
			ev["queryStringParameters"], ev["multiValueQueryStringParameters"] = single, q
		}
	}
	if len(wc.ss.stage.StageVariables) > 0 {
		ev["stageVariables"] = wc.ss.stage.StageVariables
	}
	if wc.eventType == "MESSAGE" {
		if wc.binary {
			ev["body"] = base64.StdEncoding.EncodeToString(wc.body)
		} else {
			ev["body"] = string(wc.body)
		}
	}
	b, _ := json.Marshal(ev)
	return b
}

// runRoute runs a WebSocket route's integration: the status and body its function answered.
func (s *Service) runRoute(ctx context.Context, wc *wsCall, route *Route) (int, []byte, bool) {
	id, _ := strings.CutPrefix(route.Target, "integrations/")
	it := wc.ss.integrations[id]
	if it == nil {
		return 500, nil, false
	}
	switch it.IntegrationType {
	case "MOCK":
		return 200, nil, true
	case "AWS_PROXY":
	default:
		return 500, nil, false
	}
	if s.functions == nil {
		return 500, nil, false
	}
	timeout := time.Duration(it.TimeoutInMillis) * time.Millisecond
	if timeout <= 0 {
		timeout = 29 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	src := request.Source{ARN: sourceARN(s.region, wc.api.account, wc.api.doc.API.APIID, wc.ss.stage.StageName, wc.routeKey, ""),
		Account: wc.api.account, Role: credentialsRole(it.CredentialsArn)}
	out, fnErr, err := s.functions.Invoke(ctx, functionARN(it.IntegrationURI), src, s.wsEvent(wc))
	if err != nil || fnErr != "" {
		return 500, nil, false
	}
	var resp struct {
		StatusCode *int   `json:"statusCode"`
		Body       string `json:"body"`
	}
	if json.Unmarshal(out, &resp) == nil && resp.StatusCode != nil {
		return *resp.StatusCode, []byte(resp.Body), true
	}
	return 200, out, true
}

// connect runs $connect (its authorizer and integration) and, if they let the client in,
// upgrades the connection and serves its messages until it closes.
func (s *Service) connect(w http.ResponseWriter, r *http.Request, api *cachedAPI, ss *servedStage, requestID string) {
	now := s.now()
	c := &wsConn{id: newConnectionID(), apiID: api.doc.API.APIID, stage: ss.stage.StageName, connectedAt: now, lastActive: now,
		sourceIP: sourceIP(r), userAgent: r.UserAgent()}
	wc := &wsCall{c: c, api: api, ss: ss, r: r, eventType: "CONNECT", routeKey: "$connect", requestID: requestID}
	if route := ss.byKey["$connect"]; route != nil {
		hc := &call{r: r, requestID: requestID, account: api.account, apiID: c.apiID, stage: c.stage, stageVars: ss.stage.StageVariables,
			routeKey: "$connect", path: "/", rawPath: "/" + c.stage, sourceIP: c.sourceIP, timeEpoch: now.UnixMilli(),
			time: now.UTC().Format("02/Jan/2006:15:04:05 -0700"), domainName: hostOnly(r.Host), webSocket: true}
		if gerr := s.authorize(r.Context(), api, ss, route, hc); gerr != nil {
			writeGatewayError(w, gerr)
			return
		}
		if hc.authorizer != nil {
			wc.auth = hc.authorizer.Lambda
		}
		if route.Target != "" {
			status, _, ok := s.runRoute(r.Context(), wc, route)
			if !ok {
				writeGatewayError(w, errInternal)
				return
			}
			if status < 200 || status > 299 {
				writeGatewayError(w, &gatewayError{status, http.StatusText(status)})
				return
			}
		}
	}
	conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		return
	}
	conn.SetReadLimit(wsMaxMessage)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), wsMaxDuration)
	c.conn, c.cancel = conn, cancel
	s.sockets.add(c)
	s.recordConnection(ctx, api.account, c)
	// The connection's own goroutine serves it from here, and the handler returns: a fresh
	// goroutine's stack is the smallest, where the handler's grew on its way through the router
	// and $connect (10,000 idle connections held 16 KiB of stack each).
	go s.hold(ctx, cancel, wc)
}

// hold reads a connection's messages until it closes, idles out or ends (cancel: DeleteConnection,
// Stop), then forgets it and runs $disconnect.
func (s *Service) hold(ctx context.Context, cancel context.CancelFunc, wc *wsCall) {
	c := wc.c
	defer func() {
		s.sockets.remove(c.id)
		s.forgetConnection(context.WithoutCancel(ctx), wc.api.account, c)
		cancel()
		c.conn.CloseNow()
		if route := wc.ss.byKey["$disconnect"]; route != nil && route.Target != "" {
			dc := *wc
			dc.eventType, dc.routeKey, dc.requestID = "DISCONNECT", "$disconnect", newID(16)
			s.runRoute(context.WithoutCancel(ctx), &dc, route)
		}
	}()
	s.readMessages(ctx, wc)
}

// readMessages runs each message's route until the connection closes, idles out or ends, and
// then waits for the routes still running. Each message's route runs in a goroutine of its own,
// as AWS invokes each message's integration without waiting for the last one's to end: a
// client's next message does not wait for the function that answered its last to return.
func (s *Service) readMessages(ctx context.Context, wc *wsCall) {
	sel, _ := parseSelection(wc.api.doc.API.RouteSelectionExpression)
	var running sync.WaitGroup
	defer running.Wait()
	slots := make(chan struct{}, wsInFlight)
	for {
		readCtx, cancel := context.WithTimeout(ctx, wsIdleTimeout)
		typ, data, err := wc.c.conn.Read(readCtx)
		cancel()
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				wc.c.conn.Close(websocket.StatusGoingAway, "Going away")
			}
			return
		}
		wc.c.mu.Lock()
		wc.c.lastActive = s.now()
		wc.c.mu.Unlock()
		mc := *wc
		mc.eventType, mc.body, mc.binary, mc.requestID, mc.auth = "MESSAGE", data, typ == websocket.MessageBinary, newID(16), wc.auth
		route := selectRoute(wc.ss, sel, data)
		if route == nil {
			s.sendError(ctx, wc, "Forbidden", mc.requestID)
			continue
		}
		mc.routeKey = route.RouteKey
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return
		}
		running.Add(1)
		go func() {
			defer func() { <-slots; running.Done() }()
			s.runMessage(ctx, &mc, route)
		}()
	}
}

// runMessage runs a message's route and sends the client its route response, if it has one.
func (s *Service) runMessage(ctx context.Context, mc *wsCall, route *Route) {
	status, body, ok := s.runRoute(ctx, mc, route)
	if !ok || status >= 500 {
		s.sendError(ctx, mc, "Internal server error", mc.requestID)
		return
	}
	if route.RouteResponseSelectionExpression != "" && len(body) > 0 {
		mc.c.conn.Write(ctx, websocket.MessageText, body)
	}
}

// selectRoute evaluates the route selection expression on a message: the route whose key is
// the selected value, else $default.
func selectRoute(ss *servedStage, sel selection, data []byte) *Route {
	if key, ok := selectKey(sel, data); ok {
		if r := ss.byKey[key]; r != nil && !strings.HasPrefix(key, "$") {
			return r
		}
	}
	return ss.byKey["$default"]
}

// selectKey reads the selection expression's member from a JSON message; ok is false when the
// message is not JSON or has no such string (or number, or boolean) member.
func selectKey(sel selection, data []byte) (string, bool) {
	var v any
	if len(sel.path) == 0 || json.Unmarshal(data, &v) != nil {
		return "", false
	}
	for _, p := range sel.path {
		m, ok := v.(map[string]any)
		if !ok {
			return "", false
		}
		if v, ok = m[p]; !ok {
			return "", false
		}
	}
	switch x := v.(type) {
	case string:
		return x, true
	case float64, bool:
		b, _ := json.Marshal(x)
		return string(b), true
	}
	return "", false
}

func (s *Service) sendError(ctx context.Context, wc *wsCall, message, requestID string) {
	b, _ := json.Marshal(map[string]string{"message": message, "connectionId": wc.c.id, "requestId": requestID})
	wc.c.conn.Write(ctx, websocket.MessageText, b)
}

// manageConnection serves the @connections API (PostToConnection, GetConnection,
// DeleteConnection): SigV4 for execute-api, and execute-api:ManageConnections on
// arn:aws:execute-api:<region>:<account>:<api-id>/<stage>/<METHOD>/@connections/<id>.
func (s *Service) manageConnection(w http.ResponseWriter, r *http.Request, api *cachedAPI, stage, id string) {
	body, err := io.ReadAll(io.LimitReader(r.Body, wsMaxMessage+1))
	if err != nil {
		return
	}
	if gerr := s.checkManage(r, api, stage, id, body); gerr != nil {
		writeManageError(w, gerr.status, map[int]string{403: "ForbiddenException", 401: "UnauthorizedException"}[gerr.status], gerr.message)
		return
	}
	c := s.sockets.get(id)
	if c == nil {
		s.manageRemote(w, r, api, stage, id, body)
		return
	}
	if c.apiID != api.doc.API.APIID || c.stage != stage {
		writeManageError(w, http.StatusGone, "GoneException", "")
		return
	}
	status, typ, answer := s.perform(r.Context(), c, r.Method, body)
	if typ != "" {
		writeManageError(w, status, typ, string(answer))
		return
	}
	if len(answer) > 0 {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	w.Write(answer)
}

// perform does an @connections call on a connection this node holds: its status, its error
// type ("" for none; the answer is then the error's message) and its answer.
func (s *Service) perform(ctx context.Context, c *wsConn, method string, body []byte) (status int, typ string, answer []byte) {
	switch method {
	case http.MethodPost:
		if len(body) > wsMaxMessage {
			return http.StatusRequestEntityTooLarge, "PayloadTooLargeException", []byte("Message too long")
		}
		if err := c.conn.Write(ctx, websocket.MessageText, body); err != nil {
			return http.StatusGone, "GoneException", nil
		}
		return http.StatusOK, "", nil
	case http.MethodGet:
		c.mu.Lock()
		last := c.lastActive
		c.mu.Unlock()
		b, _ := json.Marshal(map[string]any{"connectedAt": c.connectedAt.UTC().Format(time.RFC3339),
			"identity": map[string]string{"sourceIp": c.sourceIP, "userAgent": c.userAgent}, "lastActiveAt": last.UTC().Format(time.RFC3339)})
		return http.StatusOK, "", b
	case http.MethodDelete:
		c.cancel() // the connection's own goroutine closes it
		return http.StatusNoContent, "", nil
	}
	return http.StatusForbidden, "ForbiddenException", []byte("Forbidden")
}

// checkManage authenticates and authorizes a call of the @connections API.
func (s *Service) checkManage(r *http.Request, api *cachedAPI, stage, id string, body []byte) *gatewayError {
	if s.authn == nil {
		return errForbidden
	}
	p, err := s.authn(r.Context(), r, body)
	if err != nil {
		return &gatewayError{403, err.Error()}
	}
	arn := "arn:aws:execute-api:" + s.region + ":" + api.account + ":" + api.doc.API.APIID + "/" + stage + "/" + r.Method + "/@connections/" + id
	if s.authz != nil {
		if err := s.authz(r.Context(), p, "execute-api:ManageConnections", arn); err != nil {
			return &gatewayError{403, err.Error()}
		}
	} else if p.Account != api.account {
		return errForbidden
	}
	return nil
}

func writeManageError(w http.ResponseWriter, status int, typ, message string) {
	w.Header().Set("Content-Type", "application/json")
	if typ != "" {
		w.Header().Set("X-Amzn-Errortype", typ)
	}
	w.WriteHeader(status)
	b, _ := json.Marshal(map[string]string{"message": message})
	w.Write(b)
}
