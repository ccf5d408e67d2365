package dynamodb

import (
	"bytes"
	"context"
	"hash/fnv"

	"github.com/gureum/gureum/internal/dynamodb/attr"
	"github.com/gureum/gureum/internal/dynamodb/expr"
	"github.com/gureum/gureum/internal/store"
)

// maxPage is how much a Query or Scan reads before it answers (1 MB, counted before the filter).
const maxPage = 1 << 20

// readCommon is what Query and Scan share.
type readCommon struct {
	TableName                 string              `json:"TableName"`
	IndexName                 string              `json:"IndexName"`
	Select                    string              `json:"Select"`
	Limit                     *int                `json:"Limit"`
	ConsistentRead            bool                `json:"ConsistentRead"`
	ExclusiveStartKey         Item                `json:"ExclusiveStartKey"`
	FilterExpression          string              `json:"FilterExpression"`
	ProjectionExpression      string              `json:"ProjectionExpression"`
	ExpressionAttributeNames  map[string]string   `json:"ExpressionAttributeNames"`
	ExpressionAttributeValues Item                `json:"ExpressionAttributeValues"`
	AttributesToGet           []string            `json:"AttributesToGet"`
	ReturnConsumedCapacity    string              `json:"ReturnConsumedCapacity"`
	QueryFilter               map[string]Expected `json:"QueryFilter"`
	ScanFilter                map[string]Expected `json:"ScanFilter"`
	ConditionalOperator       string              `json:"ConditionalOperator"`
}

func (r *readCommon) tableName() string { return r.TableName }

// ReadOutput is the output of Query and Scan.
type ReadOutput struct {
	Items            []attr.Wire       `json:"Items,omitempty"`
	Count            int               `json:"Count"`
	ScannedCount     int               `json:"ScannedCount"`
	LastEvaluatedKey Item              `json:"LastEvaluatedKey,omitempty"`
	ConsumedCapacity *ConsumedCapacity `json:"ConsumedCapacity,omitempty"`
}

// QueryInput is Query's input.
type QueryInput struct {
	readCommon
	KeyConditionExpression string              `json:"KeyConditionExpression"`
	KeyConditions          map[string]Expected `json:"KeyConditions"`
	ScanIndexForward       *bool               `json:"ScanIndexForward"`
}

// ScanInput is Scan's input.
type ScanInput struct {
	readCommon
	Segment       *int `json:"Segment"`
	TotalSegments *int `json:"TotalSegments"`
}

// reader is a prepared Query or Scan.
type reader struct {
	t      *table
	ix     *index
	keys   keySchema // the keys the read goes by (the index's or the table's)
	x      *exprs
	filter expr.Cond
	limit  int
	count  bool
}

func (s *Service) prepareRead(ctx context.Context, r *readCommon, keyCond string, legacyFilter map[string]Expected, filterName string) (*reader, error) {
	t, err := s.loadShared(ctx, r.TableName)
	if err != nil {
		return nil, err
	}
	rd := &reader{t: t, keys: t.keys, limit: -1}
	if r.IndexName != "" {
		ix, ok := t.indexes[r.IndexName]
		if !ok {
			return nil, validation("The table does not have the specified index: %s", r.IndexName)
		}
		if ix.global && r.ConsistentRead {
			return nil, validation("Consistent reads are not supported on global secondary indexes")
		}
		rd.ix, rd.keys = ix, ix.keys
	}
	if r.Limit != nil {
		if *r.Limit < 1 {
			return nil, validation("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1", *r.Limit)
		}
		rd.limit = *r.Limit
	}
	in := exprInput{names: r.ExpressionAttributeNames, values: r.ExpressionAttributeValues, condition: r.FilterExpression,
		condKind: "FilterExpression", projection: r.ProjectionExpression, keyCond: keyCond}
	if r.AttributesToGet != nil {
		in.legacy = append(in.legacy, "AttributesToGet")
	}
	if legacyFilter != nil {
		in.legacy = append(in.legacy, filterName)
	}
	if rd.x, err = parseExprs(in); err != nil {
		return nil, err
	}
	rd.x.attributesToGet(r.AttributesToGet)
	rd.filter = rd.x.cond
	if legacyFilter != nil {
		if rd.filter, err = legacyCondition(legacyFilter, r.ConditionalOperator); err != nil {
			return nil, err
		}
	}
	switch r.Select {
	case "", "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES":
		if r.Select == "ALL_ATTRIBUTES" && rd.ix != nil && rd.ix.global && rd.ix.proj.ProjectionType != "ALL" {
			return nil, validation("One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index %s because its projection type is not ALL", rd.ix.name)
		}
		if r.Select != "" && rd.x.proj != nil {
			return nil, validation("One or more parameter values were invalid: Cannot specify the AttributesToGet when choosing to get %s", r.Select)
		}
	case "COUNT":
		if rd.x.proj != nil {
			return nil, validation("One or more parameter values were invalid: Cannot specify the AttributesToGet when choosing to get only the Count")
		}
		rd.count = true
	case "SPECIFIC_ATTRIBUTES":
		if rd.x.proj == nil {
			return nil, validation("One or more parameter values were invalid: Must specify the AttributesToGet when choosing to get SPECIFIC_ATTRIBUTES")
		}
	default:
		return nil, validation("1 validation error detected: Value '%s' at 'select' failed to satisfy constraint: Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]", r.Select)
	}
	return rd, nil
}

// startKey checks an ExclusiveStartKey and returns the table key and, for an index, the index
// key values it holds.
func (rd *reader) startKey(esk Item) (store.ItemKey, []byte, []byte, error) {
	bad := func() (store.ItemKey, []byte, []byte, error) {
		return store.ItemKey{}, nil, nil, validation("The provided starting key is invalid: The provided key element does not match the schema")
	}
	tk := rd.t.keyAttrs(esk)
	for _, v := range tk {
		if v.Kind == attr.Invalid {
			return bad()
		}
	}
	k, err := rd.t.keyOf(tk)
	if err != nil {
		return bad()
	}
	if rd.ix == nil {
		if len(esk) != len(tk) {
			return bad()
		}
		return k, k.PK, k.SK, nil
	}
	hv, ok := esk[rd.keys.hash]
	if !ok || hv.Kind != rd.keys.hashKind {
		return bad()
	}
	var isk []byte
	if rd.keys.rang != "" {
		rv, ok := esk[rd.keys.rang]
		if !ok || rv.Kind != rd.keys.rangKind {
			return bad()
		}
		isk = attr.KeyBytes(rv)
	}
	return k, attr.KeyBytes(hv), tuple(isk, k.PK, k.SK), nil
}

// lastKey is the LastEvaluatedKey of an item: the table key, and the index key on an index.
func (rd *reader) lastKey(item Item) Item {
	out := rd.t.keyAttrs(item)
	if rd.ix != nil {
		out[rd.keys.hash] = item[rd.keys.hash]
		if rd.keys.rang != "" {
			out[rd.keys.rang] = item[rd.keys.rang]
		}
	}
	return out
}

// page reads items through fetch (which returns the next rows after the last one given) until
// the limit or 1 MB, filtering and projecting them.
func (rd *reader) page(fetch func(after *store.TableItem, n int) ([]store.TableItem, error), keep func(store.TableItem) bool) (*ReadOutput, int, error) {
	out := &ReadOutput{}
	size := 0
	var last *store.TableItem
	var lastItem Item
	for {
		n := 256
		if rd.limit > 0 {
			n = min(n, rd.limit-out.ScannedCount)
		}
		rows, err := fetch(last, n)
		if err != nil {
			return nil, 0, err
		}
		for i := range rows {
			last = &rows[i]
			if keep != nil && !keep(rows[i]) {
				continue
			}
			item, err := decodeStored(&rows[i])
			if err != nil {
				return nil, 0, err
			}
			out.ScannedCount++
			size += attr.ItemSize(item)
			lastItem = item
			if rd.filter == nil || expr.Eval(rd.filter, item) {
				out.Count++
				if !rd.count {
					out.Items = append(out.Items, rd.x.projected(rd.t.project(rd.ix, item)))
				}
			}
			if out.ScannedCount == rd.limit || size >= maxPage {
				out.LastEvaluatedKey = rd.lastKey(item)
				return out, size, nil
			}
		}
		if len(rows) < n {
			_ = lastItem
			if !rd.count && out.Items == nil {
				out.Items = []attr.Wire{}
			}
			return out, size, nil
		}
	}
}

// Query reads one partition of a table or index, in sort-key order, as a range scan.
func (s *Service) Query(ctx context.Context, in *QueryInput) (*ReadOutput, error) {
	keyCond := in.KeyConditionExpression
	if keyCond == "" && in.KeyConditions == nil {
		return nil, validation("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.")
	}
	rd, err := s.prepareRead(ctx, &in.readCommon, keyCond, in.QueryFilter, "QueryFilter")
	if err != nil {
		return nil, err
	}
	var kc expr.Cond = rd.x.key
	if in.KeyConditions != nil {
		if keyCond != "" {
			return nil, validation("Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {KeyConditions} Expression parameters: {KeyConditionExpression}")
		}
		if kc, err = legacyCondition(in.KeyConditions, "AND"); err != nil {
			return nil, err
		}
	}
	rg, err := keyRange(kc, rd.keys)
	if err != nil {
		return nil, err
	}
	for _, p := range filterPaths(rd.filter) {
		if p == rd.keys.hash || p == rd.keys.rang {
			return nil, validation("Filter Expression can only contain non-primary key attributes: Primary key attribute: %s", p)
		}
	}
	r := store.ItemRange{Table: rd.t.ID, PK: rg.pk, Lo: rg.lo, Hi: rg.hi}
	if rd.ix != nil {
		r.Index = rd.ix.name
		r.Lo = tupleBound(rg.lo)
		r.Hi = tupleBound(rg.hi)
	}
	r.Desc = in.ScanIndexForward != nil && !*in.ScanIndexForward
	if in.ExclusiveStartKey != nil {
		_, pk, pos, err := rd.startKey(in.ExclusiveStartKey)
		if err != nil {
			return nil, err
		}
		if !bytes.Equal(pk, rg.pk) {
			return nil, validation("The provided starting key is outside query boundaries based on provided conditions")
		}
		if r.Desc {
			r.Hi = pos
		} else {
			r.Lo = append(append([]byte{}, pos...), 0)
		}
	}
	out, size, err := rd.page(func(after *store.TableItem, n int) ([]store.TableItem, error) {
		q := r
		q.Limit = n
		if after != nil {
			pos := after.SK
			if rd.ix != nil {
				item, err := decodeStored(after)
				if err != nil {
					return nil, err
				}
				_, _, pos, _ = rd.startKey(rd.lastKey(item))
			}
			if q.Desc {
				q.Hi = pos
			} else {
				q.Lo = append(append([]byte{}, pos...), 0)
			}
			r = q
		}
		return s.store.QueryItems(ctx, q)
	}, nil)
	if err != nil {
		return nil, err
	}
	if err := s.chargeRead(rd.t, size, in.ConsistentRead); err != nil {
		return nil, err
	}
	out.ConsumedCapacity = capacity(in.ReturnConsumedCapacity, rd.t.Name, size, false, in.ConsistentRead)
	return out, nil
}

// tupleBound maps a bound on an index's sort key to the bound on its ordering tuples.
func tupleBound(b []byte) []byte {
	if b == nil {
		return nil
	}
	return appendEscaped(nil, b)
}

func filterPaths(c expr.Cond) []string {
	var out []string
	var walkOp func(o expr.Operand)
	walkOp = func(o expr.Operand) {
		switch o := o.(type) {
		case *expr.PathOp:
			out = append(out, o.Path[0].Name)
		case *expr.SizeOp:
			walkOp(o.X)
		}
	}
	var walk func(c expr.Cond)
	walk = func(c expr.Cond) {
		switch c := c.(type) {
		case *expr.Paren:
			walk(c.A)
		case *expr.And:
			walk(c.A)
			walk(c.B)
		case *expr.Or:
			walk(c.A)
			walk(c.B)
		case *expr.Not:
			walk(c.A)
		case *expr.Compare:
			walkOp(c.A)
			walkOp(c.B)
		case *expr.Between:
			walkOp(c.X)
			walkOp(c.Lo)
			walkOp(c.Hi)
		case *expr.In:
			walkOp(c.X)
			for _, o := range c.List {
				walkOp(o)
			}
		case *expr.Func:
			for _, o := range c.Args {
				walkOp(o)
			}
		}
	}
	if c != nil {
		walk(c)
	}
	return out
}

// Scan reads a whole table or index, or one segment of it, in key order.
func (s *Service) Scan(ctx context.Context, in *ScanInput) (*ReadOutput, error) {
	seg, total := 0, 1
	switch {
	case in.Segment != nil && in.TotalSegments == nil:
		return nil, validation("The TotalSegments parameter is required but was not present in the request when Segment parameter is present")
	case in.Segment == nil && in.TotalSegments != nil:
		return nil, validation("The Segment parameter is required but was not present in the request when parameter TotalSegments is present")
	case in.Segment != nil:
		seg, total = *in.Segment, *in.TotalSegments
		if total < 1 || total > 1000000 {
			return nil, validation("1 validation error detected: Value '%d' at 'totalSegments' failed to satisfy constraint: Member must have value less than or equal to 1000000", total)
		}
		if seg < 0 || seg >= total {
			return nil, validation("The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: %d is not less than TotalSegments: %d", seg, total)
		}
	}
	rd, err := s.prepareRead(ctx, &in.readCommon, "", in.ScanFilter, "ScanFilter")
	if err != nil {
		return nil, err
	}
	var afterPK, afterOrd []byte
	if in.ExclusiveStartKey != nil {
		if _, afterPK, afterOrd, err = rd.startKey(in.ExclusiveStartKey); err != nil {
			return nil, err
		}
		if segmentOf(afterPK, total) != seg {
			return nil, validation("The provided Exclusive start key does not map to the provided segment")
		}
	}
	index := ""
	if rd.ix != nil {
		index = rd.ix.name
	}
	out, size, err := rd.page(func(after *store.TableItem, n int) ([]store.TableItem, error) {
		if after != nil {
			afterPK, afterOrd = after.PK, after.SK
			if rd.ix != nil {
				item, err := decodeStored(after)
				if err != nil {
					return nil, err
				}
				_, afterPK, afterOrd, _ = rd.startKey(rd.lastKey(item))
			}
		}
		return s.store.ScanItems(ctx, rd.t.ID, index, afterPK, afterOrd, n)
	}, func(it store.TableItem) bool {
		if total == 1 {
			return true
		}
		pk := it.PK
		if rd.ix != nil {
			item, _ := decodeStored(&it)
			pk = attr.KeyBytes(item[rd.keys.hash])
		}
		return segmentOf(pk, total) == seg
	})
	if err != nil {
		return nil, err
	}
	if err := s.chargeRead(rd.t, size, in.ConsistentRead); err != nil {
		return nil, err
	}
	out.ConsumedCapacity = capacity(in.ReturnConsumedCapacity, rd.t.Name, size, false, in.ConsistentRead)
	return out, nil
}

// segmentOf is the parallel-scan segment of a partition key.
func segmentOf(pk []byte, total int) int {
	h := fnv.New32a()
	h.Write(pk)
	return int(h.Sum32() % uint32(total))
}
