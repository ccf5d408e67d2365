package apigatewayv2

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gureum/gureum/internal/background"
	"github.com/gureum/gureum/internal/store"
)

// WebSocket connections across nodes. A connection lives on the node its client reached; when
// nodes share a store (PostgreSQL), each connection is recorded with its node (kind
// v2wsconn), and an @connections call that reaches another node is handed to the holder
// through the store: the call is written (kind v2wscall), its id announced on the notifier
// (topic apigw_ws_call, key "<node>/<call id>"), the holder performs it, writes the answer into
// the call and announces it (topic apigw_ws_done), and the node that took the request answers
// the client and deletes the call. A connection recorded for no live node answers GoneException
// once the holder does not answer within wsRemoteTimeout.
const (
	kindConnection  store.APIKind = "v2wsconn" // parent: the API's id; id: the connection's id
	kindWSCall      store.APIKind = "v2wscall" // parent ""; id: the call's id
	wsCallTopic                   = "apigw_ws_call"
	wsDoneTopic                   = "apigw_ws_done"
	wsRemoteTimeout               = 5 * time.Second
)

// connRecord is a connection as the store records it.
type connRecord struct {
	Stage       string    `json:"stage"`
	Node        string    `json:"node"`
	ConnectedAt time.Time `json:"connectedAt"`
	SourceIP    string    `json:"sourceIp"`
	UserAgent   string    `json:"userAgent"`
}

// remoteCall is an @connections call handed to the node holding the connection, and its answer.
type remoteCall struct {
	Conn   string `json:"conn"`
	APIID  string `json:"apiId"`
	Stage  string `json:"stage"`
	Method string `json:"method"`
	Body   []byte `json:"body,omitempty"`
	// The answer, once Status is set.
	Status int    `json:"status,omitempty"`
	Type   string `json:"type,omitempty"`
	Answer []byte `json:"answer,omitempty"`
}

// nodes is this node's part in cross-node @connections calls.
type nodes struct {
	shared bool   // nodes share the store: connections are recorded
	id     string // this node
	mu     sync.Mutex
	wait   map[string]chan struct{} // call id → woken when its answer is announced
}

// startNodes subscribes to the calls for this node and the answers to its own calls, when nodes
// share the store.
func (s *Service) startNodes() (stop func()) {
	s.peers.id = background.NodeID()
	s.peers.wait = map[string]chan struct{}{}
	b, ok := s.store.(interface{ Backend() string })
	s.peers.shared = ok && b.Backend() != "sqlite"
	if !s.peers.shared {
		return func() {}
	}
	stopCalls := s.store.Subscribe(wsCallTopic, func(key string) {
		if node, id, ok := strings.Cut(key, "/"); ok && node == s.peers.id {
			go s.performRemote(id) // short-lived: bounded by wsRemoteTimeout
		}
	})
	stopDone := s.store.Subscribe(wsDoneTopic, s.peers.wake)
	return func() { stopCalls(); stopDone() }
}

// wake tells the waiter of a call that its answer may be in ("": every waiter, as after a
// restart of the notifier).
func (n *nodes) wake(id string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for k, ch := range n.wait {
		if id == "" || k == id {
			select {
			case ch <- struct{}{}:
			default:
			}
		}
	}
}

// recordConnection records a new connection with this node (when nodes share the store).
func (s *Service) recordConnection(ctx context.Context, account string, c *wsConn) {
	if !s.peers.shared {
		return
	}
	b, _ := json.Marshal(connRecord{Stage: c.stage, Node: s.peers.id, ConnectedAt: c.connectedAt, SourceIP: c.sourceIP, UserAgent: c.userAgent})
	if err := s.store.CreateAPIObject(ctx, store.APIObject{Kind: kindConnection, Account: account, Parent: c.apiID, ID: c.id, Doc: b, Created: c.connectedAt}); err != nil {
		s.env.Log.Warn("websocket connection not recorded", "connection", c.id, "err", err)
	}
}

// forgetConnection removes a closed connection's record.
func (s *Service) forgetConnection(ctx context.Context, account string, c *wsConn) {
	if !s.peers.shared {
		return
	}
	if err := s.store.DeleteAPIObject(ctx, kindConnection, account, c.apiID, c.id); err != nil && !errors.Is(err, store.ErrNotFound) {
		s.env.Log.Warn("websocket connection record not removed", "connection", c.id, "err", err)
	}
}

// manageRemote answers an @connections call for a connection this node does not hold: through
// the node that does, or GoneException.
func (s *Service) manageRemote(w http.ResponseWriter, r *http.Request, api *cachedAPI, stage, id string, body []byte) {
	gone := func() { writeManageError(w, http.StatusGone, "GoneException", "") }
	if !s.peers.shared {
		gone()
		return
	}
	ctx := r.Context()
	obj, err := s.store.APIObject(ctx, kindConnection, api.account, api.doc.API.APIID, id)
	var rec connRecord
	if err != nil || json.Unmarshal(obj.Doc, &rec) != nil || rec.Stage != stage || rec.Node == s.peers.id {
		gone()
		return
	}
	call := remoteCall{Conn: id, APIID: api.doc.API.APIID, Stage: stage, Method: r.Method, Body: body}
	ans, err := s.callRemote(ctx, rec.Node, &call)
	if err != nil || ans.Status == 0 {
		gone()
		return
	}
	if ans.Type != "" {
		writeManageError(w, ans.Status, ans.Type, string(ans.Answer))
		return
	}
	if len(ans.Answer) > 0 {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(ans.Status)
	w.Write(ans.Answer)
}

// callRemote hands a call to node and waits for its answer (nil when none came in time).
func (s *Service) callRemote(ctx context.Context, node string, call *remoteCall) (*remoteCall, error) {
	id := newID(20)
	b, _ := json.Marshal(call)
	if err := s.store.CreateAPIObject(ctx, store.APIObject{Kind: kindWSCall, ID: id, Doc: b, Created: s.now()}); err != nil {
		return nil, err
	}
	defer s.store.DeleteAPIObject(context.WithoutCancel(ctx), kindWSCall, "", "", id)
	ch := make(chan struct{}, 1)
	s.peers.mu.Lock()
	s.peers.wait[id] = ch
	s.peers.mu.Unlock()
	defer func() {
		s.peers.mu.Lock()
		delete(s.peers.wait, id)
		s.peers.mu.Unlock()
	}()
	if err := s.store.Notify(ctx, wsCallTopic, node+"/"+id); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, wsRemoteTimeout)
	defer cancel()
	for {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-ch:
		}
		obj, err := s.store.APIObject(ctx, kindWSCall, "", "", id)
		if err != nil {
			return nil, err
		}
		var ans remoteCall
		if json.Unmarshal(obj.Doc, &ans) == nil && ans.Status != 0 {
			return &ans, nil
		}
	}
}

// performRemote performs a call another node handed to this one and writes its answer.
func (s *Service) performRemote(id string) {
	ctx, cancel := context.WithTimeout(context.Background(), wsRemoteTimeout)
	defer cancel()
	obj, err := s.store.APIObject(ctx, kindWSCall, "", "", id)
	var call remoteCall
	if err != nil || json.Unmarshal(obj.Doc, &call) != nil {
		return
	}
	c := s.sockets.get(call.Conn)
	if c == nil || c.apiID != call.APIID || c.stage != call.Stage {
		call.Status, call.Type = http.StatusGone, "GoneException"
	} else {
		call.Status, call.Type, call.Answer = s.perform(ctx, c, call.Method, call.Body)
	}
	call.Body = nil
	obj.Doc, _ = json.Marshal(call)
	if err := s.store.UpdateAPIObject(ctx, obj, obj.Version); err != nil {
		return
	}
	s.store.Notify(ctx, wsDoneTopic, id)
}
