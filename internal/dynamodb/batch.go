package dynamodb

import (
	"context"
	"sort"

	"github.com/gureum/gureum/internal/dynamodb/attr"
	"github.com/gureum/gureum/internal/store"
)

// KeysAndAttributes is one table's part of a BatchGetItem.
type KeysAndAttributes struct {
	Keys                     []Item            `json:"Keys"`
	ConsistentRead           bool              `json:"ConsistentRead,omitempty"`
	ProjectionExpression     string            `json:"ProjectionExpression,omitempty"`
	ExpressionAttributeNames map[string]string `json:"ExpressionAttributeNames,omitempty"`
	AttributesToGet          []string          `json:"AttributesToGet,omitempty"`
}

// BatchGetItemInput is BatchGetItem's input.
type BatchGetItemInput struct {
	RequestItems           map[string]KeysAndAttributes `json:"RequestItems"`
	ReturnConsumedCapacity string                       `json:"ReturnConsumedCapacity"`
}

// BatchGetItemOutput is BatchGetItem's output.
type BatchGetItemOutput struct {
	Responses        map[string][]Item            `json:"Responses"`
	UnprocessedKeys  map[string]KeysAndAttributes `json:"UnprocessedKeys"`
	ConsumedCapacity []ConsumedCapacity           `json:"ConsumedCapacity,omitempty"`
}

// maxBatchResponse is BatchGetItem's response limit; the keys past it come back unprocessed.
const maxBatchResponse = 16 << 20

func sortedTables[V any](m map[string]V) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// BatchGetItem reads up to 100 items from one or more tables.
func (s *Service) BatchGetItem(ctx context.Context, in *BatchGetItemInput) (*BatchGetItemOutput, error) {
	if len(in.RequestItems) == 0 {
		return nil, validation("1 validation error detected: Value null at 'requestItems' failed to satisfy constraint: Member must not be null")
	}
	total := 0
	for _, r := range in.RequestItems {
		total += len(r.Keys)
	}
	if total > 100 {
		return nil, validation("Too many items requested for the BatchGetItem call")
	}
	out := &BatchGetItemOutput{Responses: map[string][]Item{}, UnprocessedKeys: map[string]KeysAndAttributes{}}
	size := 0
	for _, name := range sortedTables(in.RequestItems) {
		r := in.RequestItems[name]
		t, err := s.load(ctx, name)
		if err != nil {
			return nil, err
		}
		x, err := readExprs(r.ProjectionExpression, r.ExpressionAttributeNames, r.AttributesToGet)
		if err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		keys := make([]store.ItemKey, len(r.Keys))
		for i, key := range r.Keys {
			if keys[i], err = t.keyOf(key); err != nil {
				return nil, err
			}
			id := string(tuple(keys[i].PK, keys[i].SK))
			if seen[id] {
				return nil, validation("Provided list of item keys contains duplicates")
			}
			seen[id] = true
		}
		read := 0
		items := []Item{}
		for i, k := range keys {
			if size >= maxBatchResponse {
				u := r
				u.Keys = r.Keys[i:]
				out.UnprocessedKeys[name] = u
				break
			}
			item, err := s.getItem(ctx, k)
			if err != nil {
				return nil, err
			}
			if item != nil {
				size += attr.ItemSize(item)
				read += attr.ItemSize(item)
				items = append(items, x.projected(item))
			}
		}
		out.Responses[name] = items
		if c := capacity(in.ReturnConsumedCapacity, t.Name, read, false, r.ConsistentRead); c != nil {
			out.ConsumedCapacity = append(out.ConsumedCapacity, *c)
		}
	}
	return out, nil
}

// WriteRequest is one put or delete of a BatchWriteItem.
type WriteRequest struct {
	PutRequest *struct {
		Item Item `json:"Item"`
	} `json:"PutRequest,omitempty"`
	DeleteRequest *struct {
		Key Item `json:"Key"`
	} `json:"DeleteRequest,omitempty"`
}

// BatchWriteItemInput is BatchWriteItem's input.
type BatchWriteItemInput struct {
	RequestItems                map[string][]WriteRequest `json:"RequestItems"`
	ReturnConsumedCapacity      string                    `json:"ReturnConsumedCapacity"`
	ReturnItemCollectionMetrics string                    `json:"ReturnItemCollectionMetrics"`
}

// BatchWriteItemOutput is BatchWriteItem's output.
type BatchWriteItemOutput struct {
	UnprocessedItems map[string][]WriteRequest `json:"UnprocessedItems"`
	ConsumedCapacity []ConsumedCapacity        `json:"ConsumedCapacity,omitempty"`
}

// BatchWriteItem puts and deletes up to 25 items; all are written in one store transaction, so
// none come back unprocessed.
func (s *Service) BatchWriteItem(ctx context.Context, in *BatchWriteItemInput) (*BatchWriteItemOutput, error) {
	total := 0
	for _, r := range in.RequestItems {
		total += len(r)
	}
	if total == 0 {
		return nil, validation("1 validation error detected: Value null at 'requestItems' failed to satisfy constraint: Member must not be null")
	}
	if total > 25 {
		return nil, validation("1 validation error detected: Value '{...}' at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]")
	}
	var keys []store.ItemKey
	var writes []store.ItemWrite
	var nexts []Item
	var owners []*table
	sizes := map[string]int{}
	seen := map[string]bool{}
	for _, name := range sortedTables(in.RequestItems) {
		t, err := s.load(ctx, name)
		if err != nil {
			return nil, err
		}
		for _, r := range in.RequestItems[name] {
			var w store.ItemWrite
			switch {
			case r.PutRequest != nil && r.DeleteRequest == nil:
				item := r.PutRequest.Item
				if msg := attr.CheckItem(item); msg != "" {
					return nil, validation("%s", msg)
				}
				k, err := t.itemKey(item)
				if err != nil {
					return nil, err
				}
				if err := checkSize(item, msgItemTooLarge); err != nil {
					return nil, err
				}
				if w, err = t.write(k, item); err != nil {
					return nil, err
				}
				sizes[t.Name] += attr.ItemSize(item)
			case r.DeleteRequest != nil && r.PutRequest == nil:
				k, err := t.keyOf(r.DeleteRequest.Key)
				if err != nil {
					return nil, err
				}
				w = t.remove(k)
				sizes[t.Name] += 1
			default:
				return nil, validation("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes")
			}
			id := name + "\x00" + string(tuple(w.Key.PK, w.Key.SK))
			if seen[id] {
				return nil, validation("Provided list of item keys contains duplicates")
			}
			seen[id] = true
			keys = append(keys, w.Key)
			writes = append(writes, w)
			owners = append(owners, t)
			if r.PutRequest != nil {
				nexts = append(nexts, r.PutRequest.Item)
			} else {
				nexts = append(nexts, nil)
			}
		}
	}
	err := s.store.WriteItems(ctx, keys, nil, func(rows []*store.TableItem) ([]store.ItemWrite, error) {
		out := make([]store.ItemWrite, len(writes))
		for i, w := range writes {
			var old Item
			if rows[i] != nil {
				var err error
				if old, err = decodeStored(rows[i]); err != nil {
					return nil, err
				}
			}
			w.Stream = s.streamRecord(owners[i], old, nexts[i], false)
			out[i] = w
		}
		return out, nil
	})
	if err != nil {
		return nil, err
	}
	out := &BatchWriteItemOutput{UnprocessedItems: map[string][]WriteRequest{}}
	for _, name := range sortedTables(sizes) {
		if c := capacity(in.ReturnConsumedCapacity, name, sizes[name], true, true); c != nil {
			out.ConsumedCapacity = append(out.ConsumedCapacity, *c)
		}
	}
	return out, nil
}
