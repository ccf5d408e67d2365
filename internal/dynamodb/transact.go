package dynamodb

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/dynamodb/attr"
	"github.com/gureum/gureum/internal/dynamodb/expr"
	"github.com/gureum/gureum/internal/store"
)

// tokenWindow is how long a ClientRequestToken is remembered.
const tokenWindow = 10 * time.Minute

// TransactAction is one action of TransactWriteItems: exactly one member is set.
type TransactAction struct {
	ConditionCheck *TransactWrite `json:"ConditionCheck,omitempty"`
	Put            *TransactWrite `json:"Put,omitempty"`
	Delete         *TransactWrite `json:"Delete,omitempty"`
	Update         *TransactWrite `json:"Update,omitempty"`
}

// TransactWrite is one Put, Update, Delete or ConditionCheck.
type TransactWrite struct {
	TableName                           string            `json:"TableName"`
	Key                                 Item              `json:"Key,omitempty"`
	Item                                Item              `json:"Item,omitempty"`
	UpdateExpression                    string            `json:"UpdateExpression,omitempty"`
	ConditionExpression                 string            `json:"ConditionExpression,omitempty"`
	ExpressionAttributeNames            map[string]string `json:"ExpressionAttributeNames,omitempty"`
	ExpressionAttributeValues           Item              `json:"ExpressionAttributeValues,omitempty"`
	ReturnValuesOnConditionCheckFailure string            `json:"ReturnValuesOnConditionCheckFailure,omitempty"`
}

// TransactWriteItemsInput is TransactWriteItems' input.
type TransactWriteItemsInput struct {
	TransactItems               []TransactAction `json:"TransactItems"`
	ClientRequestToken          string           `json:"ClientRequestToken,omitempty"`
	ReturnConsumedCapacity      string           `json:"ReturnConsumedCapacity,omitempty"`
	ReturnItemCollectionMetrics string           `json:"ReturnItemCollectionMetrics,omitempty"`
}

// TransactWriteItemsOutput is TransactWriteItems' output.
type TransactWriteItemsOutput struct {
	ConsumedCapacity []ConsumedCapacity `json:"ConsumedCapacity,omitempty"`
}

// CancellationReason is one action's outcome in a TransactionCanceledException.
type CancellationReason struct {
	Code    string `json:"Code"`
	Message string `json:"Message,omitempty"`
	Item    Item   `json:"Item,omitempty"`
}

// prepared is one checked transaction action.
type prepared struct {
	t      *table
	k      store.ItemKey
	kind   string
	w      *TransactWrite
	x      *exprs
	update *expr.Update
}

func (s *Service) prepareAction(ctx context.Context, a TransactAction) (*prepared, error) {
	p := &prepared{}
	n := 0
	for kind, w := range map[string]*TransactWrite{"ConditionCheck": a.ConditionCheck, "Put": a.Put, "Delete": a.Delete, "Update": a.Update} {
		if w != nil {
			p.kind, p.w = kind, w
			n++
		}
	}
	if n != 1 {
		return nil, validation("TransactItems can only contain one of Check, Put, Update or Delete")
	}
	t, err := s.load(ctx, p.w.TableName)
	if err != nil {
		return nil, err
	}
	p.t = t
	in := exprInput{names: p.w.ExpressionAttributeNames, values: p.w.ExpressionAttributeValues, condition: p.w.ConditionExpression,
		condKind: "ConditionExpression", update: p.w.UpdateExpression}
	if p.kind == "ConditionCheck" && p.w.ConditionExpression == "" {
		return nil, validation("The ConditionExpression parameter is required for a ConditionCheck")
	}
	if p.kind == "Update" && p.w.UpdateExpression == "" {
		return nil, validation("The UpdateExpression parameter is required for an Update")
	}
	if p.x, err = parseExprs(in); err != nil {
		return nil, err
	}
	p.update = p.x.update
	if p.kind == "Put" {
		if msg := attr.CheckItem(p.w.Item); msg != "" {
			return nil, validation("%s", msg)
		}
		if p.k, err = t.itemKey(p.w.Item); err != nil {
			return nil, err
		}
		if err := checkSize(p.w.Item, msgItemTooLarge); err != nil {
			return nil, err
		}
		return p, nil
	}
	if p.k, err = t.keyOf(p.w.Key); err != nil {
		return nil, err
	}
	if p.update != nil {
		for _, path := range p.update.Paths() {
			if path[0].Name == t.keys.hash || path[0].Name == t.keys.rang {
				return nil, validation("One or more parameter values were invalid: Cannot update attribute %s. This attribute is part of the key", path[0].Name)
			}
		}
	}
	return p, nil
}

// TransactWriteItems makes up to 100 writes all or none, in one store transaction.
func (s *Service) TransactWriteItems(ctx context.Context, in *TransactWriteItemsInput) (*TransactWriteItemsOutput, error) {
	if len(in.TransactItems) == 0 || len(in.TransactItems) > 100 {
		return nil, validation("1 validation error detected: Value '[...]' at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100, Member must have length greater than or equal to 1")
	}
	var token *store.TableToken
	if in.ClientRequestToken != "" {
		if len(in.ClientRequestToken) > 36 {
			return nil, validation("1 validation error detected: Value '%s' at 'clientRequestToken' failed to satisfy constraint: Member must have length less than or equal to 36", in.ClientRequestToken)
		}
		raw, _ := json.Marshal(in.TransactItems)
		sum := sha256.Sum256(raw)
		token = &store.TableToken{Account: callerAccount(ctx), Token: in.ClientRequestToken, Hash: sum[:], Created: s.now()}
		done, err := s.replayed(ctx, token)
		if err != nil || done {
			return &TransactWriteItemsOutput{}, err
		}
	}
	actions := make([]*prepared, len(in.TransactItems))
	keys := make([]store.ItemKey, len(in.TransactItems))
	seen := map[string]bool{}
	for i, a := range in.TransactItems {
		p, err := s.prepareAction(ctx, a)
		if err != nil {
			return nil, err
		}
		id := string(tuple([]byte{byte(p.k.Table >> 56), byte(p.k.Table >> 48), byte(p.k.Table >> 40), byte(p.k.Table >> 32),
			byte(p.k.Table >> 24), byte(p.k.Table >> 16), byte(p.k.Table >> 8), byte(p.k.Table)}, p.k.PK, p.k.SK))
		if seen[id] {
			return nil, validation("Transaction request cannot include multiple operations on one item")
		}
		seen[id] = true
		actions[i], keys[i] = p, p.k
	}
	err := s.store.WriteItems(ctx, keys, token, func(rows []*store.TableItem) ([]store.ItemWrite, error) {
		reasons := make([]CancellationReason, len(actions))
		failed := false
		var writes []store.ItemWrite
		for i, p := range actions {
			var old Item
			if rows[i] != nil {
				var err error
				if old, err = decodeStored(rows[i]); err != nil {
					return nil, err
				}
			}
			reasons[i] = CancellationReason{Code: "None"}
			if !p.x.holds(old) {
				reasons[i] = CancellationReason{Code: "ConditionalCheckFailed", Message: msgConditionFailed}
				if p.w.ReturnValuesOnConditionCheckFailure == "ALL_OLD" {
					reasons[i].Item = old
				}
				failed = true
				continue
			}
			w, err := p.apply(s, old)
			if err != nil {
				reasons[i] = CancellationReason{Code: "ValidationError", Message: awserr.As(err).Message}
				failed = true
				continue
			}
			if w != nil {
				writes = append(writes, *w)
			}
		}
		if failed {
			return nil, canceled(reasons)
		}
		return writes, nil
	})
	if errors.Is(err, store.ErrExists) && token != nil {
		if done, rerr := s.replayed(ctx, token); rerr != nil || done {
			return &TransactWriteItemsOutput{}, rerr
		}
	}
	if err != nil {
		return nil, err
	}
	return &TransactWriteItemsOutput{}, nil
}

// replayed reports whether token names a transaction already made with the same request; a
// token made with another request is IdempotentParameterMismatchException.
func (s *Service) replayed(ctx context.Context, token *store.TableToken) (bool, error) {
	old, err := s.store.TableToken(ctx, token.Account, token.Token)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if s.now().Sub(old.Created) > tokenWindow {
		return false, s.store.DropTableTokens(ctx, s.now().Add(-tokenWindow))
	}
	if string(old.Hash) != string(token.Hash) {
		return false, ErrIdempotentMismatch.Errorf("Request parameters do not match the original request with the same client request token")
	}
	return true, nil
}

// apply is the write of one action on the item as stored (nil: none).
func (p *prepared) apply(s *Service, old Item) (*store.ItemWrite, error) {
	var next Item
	switch p.kind {
	case "ConditionCheck":
		return nil, nil
	case "Delete":
		if old == nil {
			return nil, nil
		}
		w := p.t.remove(p.k)
		w.Stream = s.streamRecord(p.t, old, nil, false)
		return &w, nil
	case "Put":
		next = p.w.Item
	case "Update":
		base := old
		if base == nil {
			base = Item{}
			for k, v := range p.w.Key {
				base[k] = v
			}
		}
		var err error
		if next, err = p.update.Apply(base); err != nil {
			return nil, exprError(err)
		}
		if err := checkSize(next, msgUpdateTooLarge); err != nil {
			return nil, err
		}
	}
	w, err := p.t.write(p.k, next)
	w.Stream = s.streamRecord(p.t, old, next, false)
	return &w, err
}

// canceled is TransactionCanceledException with one reason per action, in order.
func canceled(reasons []CancellationReason) error {
	codes := make([]string, len(reasons))
	for i, r := range reasons {
		codes[i] = r.Code
	}
	e := ErrTransactionCanceled.Errorf("Transaction cancelled, please refer cancellation reasons for specific reasons [%s]", strings.Join(codes, ", "))
	e.Members = map[string]any{"CancellationReasons": reasons}
	return e
}

// TransactGetItemsInput is TransactGetItems' input.
type TransactGetItemsInput struct {
	TransactItems []struct {
		Get *struct {
			TableName                string            `json:"TableName"`
			Key                      Item              `json:"Key"`
			ProjectionExpression     string            `json:"ProjectionExpression"`
			ExpressionAttributeNames map[string]string `json:"ExpressionAttributeNames"`
		} `json:"Get"`
	} `json:"TransactItems"`
	ReturnConsumedCapacity string `json:"ReturnConsumedCapacity"`
}

// TransactGetItemsOutput is TransactGetItems' output.
type TransactGetItemsOutput struct {
	Responses        []ItemResponse     `json:"Responses"`
	ConsumedCapacity []ConsumedCapacity `json:"ConsumedCapacity,omitempty"`
}

// ItemResponse is one item of TransactGetItems (Item absent when there is none).
type ItemResponse struct {
	Item Item `json:"Item,omitempty"`
}

// TransactGetItems reads up to 100 items as one snapshot: they are read in one store
// transaction that holds out every write to them.
func (s *Service) TransactGetItems(ctx context.Context, in *TransactGetItemsInput) (*TransactGetItemsOutput, error) {
	if len(in.TransactItems) == 0 || len(in.TransactItems) > 100 {
		return nil, validation("1 validation error detected: Value '[...]' at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100, Member must have length greater than or equal to 1")
	}
	keys := make([]store.ItemKey, len(in.TransactItems))
	projs := make([]*exprs, len(in.TransactItems))
	for i, a := range in.TransactItems {
		if a.Get == nil {
			return nil, validation("1 validation error detected: Value null at 'transactItems.%d.member.get' failed to satisfy constraint: Member must not be null", i+1)
		}
		t, err := s.load(ctx, a.Get.TableName)
		if err != nil {
			return nil, err
		}
		if keys[i], err = t.keyOf(a.Get.Key); err != nil {
			return nil, err
		}
		if projs[i], err = readExprs(a.Get.ProjectionExpression, a.Get.ExpressionAttributeNames, nil); err != nil {
			return nil, err
		}
	}
	out := &TransactGetItemsOutput{Responses: make([]ItemResponse, len(keys))}
	err := s.store.WriteItems(ctx, keys, nil, func(rows []*store.TableItem) ([]store.ItemWrite, error) {
		for i, row := range rows {
			out.Responses[i] = ItemResponse{}
			if row == nil {
				continue
			}
			item, err := decodeStored(row)
			if err != nil {
				return nil, err
			}
			out.Responses[i].Item = projs[i].projected(item)
		}
		return nil, nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SweepExpired deletes items whose TTL has passed (the periodic job dynamodb.ttl), and forgets
// transaction tokens older than ten minutes.
func (s *Service) SweepExpired(ctx context.Context) error {
	now := s.now()
	if err := s.store.DropTableTokens(ctx, now.Add(-tokenWindow)); err != nil {
		return err
	}
	if err := s.store.DropStreamRecords(ctx, now.Add(-streamRetention)); err != nil {
		return err
	}
	tables := map[int64]*table{}
	for {
		keys, err := s.store.ExpiredItems(ctx, now.Unix(), 500)
		if err != nil {
			return err
		}
		for _, k := range keys {
			t, ok := tables[k.Table]
			if !ok {
				rec, err := s.store.TableByID(ctx, k.Table)
				if err != nil {
					return err
				}
				if t, err = s.loadDoc(rec); err != nil {
					return err
				}
				tables[k.Table] = t
			}
			err := s.store.WriteItems(ctx, []store.ItemKey{k}, nil, func(rows []*store.TableItem) ([]store.ItemWrite, error) {
				if rows[0] == nil || rows[0].Expires == 0 || rows[0].Expires > now.Unix() {
					return nil, nil // rewritten meanwhile
				}
				old, err := decodeStored(rows[0])
				if err != nil {
					return nil, err
				}
				w := t.remove(k)
				w.Stream = s.streamRecord(t, old, nil, true)
				return []store.ItemWrite{w}, nil
			})
			if err != nil {
				return err
			}
		}
		if len(keys) < 500 {
			return nil
		}
	}
}
