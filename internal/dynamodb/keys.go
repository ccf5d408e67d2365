package dynamodb

import (
	"math"

	"github.com/gureum/gureum/internal/dynamodb/attr"
	"github.com/gureum/gureum/internal/store"
)

// MaxItemSize is DynamoDB's item size limit, inclusive.
const MaxItemSize = 400 * 1024

// keyOf reads the table key of a Key parameter (GetItem, DeleteItem, UpdateItem): exactly the
// key attributes, of their types.
func (t *table) keyOf(key Item) (store.ItemKey, error) {
	if msg := attr.CheckItem(key); msg != "" {
		return store.ItemKey{}, validation("%s", msg)
	}
	want := 1
	if t.keys.rang != "" {
		want = 2
	}
	if len(key) != want {
		return store.ItemKey{}, validation(msgKeySchema)
	}
	k := store.ItemKey{Table: t.ID, SK: []byte{}}
	hv, ok := key[t.keys.hash]
	if !ok || hv.Kind != t.keys.hashKind {
		return store.ItemKey{}, validation(msgKeySchema)
	}
	if err := checkKeyValue(t.keys.hash, hv, 2048, true); err != nil {
		return store.ItemKey{}, err
	}
	k.PK = attr.KeyBytes(hv)
	if t.keys.rang != "" {
		rv, ok := key[t.keys.rang]
		if !ok || rv.Kind != t.keys.rangKind {
			return store.ItemKey{}, validation(msgKeySchema)
		}
		if err := checkKeyValue(t.keys.rang, rv, 1024, false); err != nil {
			return store.ItemKey{}, err
		}
		k.SK = attr.KeyBytes(rv)
	}
	return k, nil
}

func checkKeyValue(name string, v attr.Value, max int, hash bool) error {
	n := len(v.S) + len(v.B)
	if v.Kind != attr.N && n == 0 {
		return validation("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty %s value. Key: %s",
			map[bool]string{true: "string", false: "binary"}[v.Kind == attr.S], name)
	}
	if v.Kind != attr.N && n > max {
		if hash {
			return validation("One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes")
		}
		return validation("One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes")
	}
	return nil
}

// itemKey reads the table key of a whole item (PutItem): its key attributes must be there.
func (t *table) itemKey(item Item) (store.ItemKey, error) {
	k := store.ItemKey{Table: t.ID, SK: []byte{}}
	for _, a := range []struct {
		name string
		kind attr.Kind
		max  int
	}{{t.keys.hash, t.keys.hashKind, 2048}, {t.keys.rang, t.keys.rangKind, 1024}} {
		if a.name == "" {
			continue
		}
		v, ok := item[a.name]
		if !ok {
			return k, validation("One or more parameter values were invalid: Missing the key %s in the item", a.name)
		}
		if v.Kind != a.kind {
			return k, validation("One or more parameter values were invalid: Type mismatch for key %s expected: %s actual: %s", a.name, a.kind, v.Kind)
		}
		if err := checkKeyValue(a.name, v, a.max, a.name == t.keys.hash); err != nil {
			return k, err
		}
		if a.name == t.keys.hash {
			k.PK = attr.KeyBytes(v)
		} else {
			k.SK = attr.KeyBytes(v)
		}
	}
	return k, nil
}

// keyAttrs returns the item's table key attributes.
func (t *table) keyAttrs(item Item) Item {
	out := Item{t.keys.hash: item[t.keys.hash]}
	if t.keys.rang != "" {
		out[t.keys.rang] = item[t.keys.rang]
	}
	return out
}

// write is the store write of item at k: its index entries and TTL, after the checks every
// write makes (size, index key types).
func (t *table) write(k store.ItemKey, item Item) (store.ItemWrite, error) {
	w := store.ItemWrite{Key: k, Doc: attr.EncodeItem(item), VersionAt: t.versionAt()}
	for _, ix := range t.indexes {
		hv, ok1 := item[ix.keys.hash]
		rv, ok2 := item[ix.keys.rang]
		if ok1 && hv.Kind != ix.keys.hashKind {
			return w, validation("One or more parameter values were invalid: Type mismatch for Index Key %s Expected: %s Actual: %s IndexName: %s", ix.keys.hash, ix.keys.hashKind, hv.Kind, ix.name)
		}
		if ok2 && ix.keys.rang != "" && rv.Kind != ix.keys.rangKind {
			return w, validation("One or more parameter values were invalid: Type mismatch for Index Key %s Expected: %s Actual: %s IndexName: %s", ix.keys.rang, ix.keys.rangKind, rv.Kind, ix.name)
		}
		if !ok1 || ix.keys.rang != "" && !ok2 {
			continue // sparse: the item is not in the index
		}
		var isk []byte
		if ix.keys.rang != "" {
			isk = attr.KeyBytes(rv)
		}
		w.Indexes = append(w.Indexes, store.IndexEntry{Index: ix.name, PK: attr.KeyBytes(hv), Ord: tuple(isk, k.PK, k.SK)})
	}
	if t.doc.TTLEnabled {
		if v, ok := item[t.doc.TTLAttribute]; ok && v.Kind == attr.N {
			w.Expires = ttlOf(v)
			if w.Expires < t.now-5*365*24*3600 {
				w.Expires = 0
			}
		}
	}
	return w, nil
}

// ttlOf is a TTL attribute's expiry in whole epoch seconds (rounded up, so an item never goes
// early); 0 for values that never expire here.
func ttlOf(v attr.Value) int64 {
	n := v.Number()
	if n.Neg || n.IsZero() || n.Exp > 12 {
		return 0
	}
	f := 0.0
	for i := 0; i < len(n.Digits); i++ {
		f += float64(n.Digits[i]-'0') * math.Pow10(n.Exp-1-i)
	}
	return int64(math.Ceil(f))
}

// tuple is the order-preserving encoding of a sequence of byte strings: each with 0x00 escaped
// as 0x00 0xff and ended by 0x00 0x01, so tuples compare as their parts do, in order.
func tuple(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = appendEscaped(out, p)
		out = append(out, 0x00, 0x01)
	}
	return out
}

func appendEscaped(out, p []byte) []byte {
	for _, c := range p {
		if c == 0 {
			out = append(out, 0x00, 0xff)
		} else {
			out = append(out, c)
		}
	}
	return out
}

func decodeStored(it *store.TableItem) (Item, error) {
	return attr.DecodeItem(it.Doc)
}

// checkSize holds an item to 400 KB.
func checkSize(item Item, msg string) error {
	if attr.ItemSize(item) > MaxItemSize {
		return validation("%s", msg)
	}
	return nil
}

// project applies an index's projection to an item read through it.
func (t *table) project(ix *index, item Item) Item {
	if ix == nil || ix.proj.ProjectionType == "ALL" {
		return item
	}
	out := t.keyAttrs(item)
	for _, n := range []string{ix.keys.hash, ix.keys.rang} {
		if v, ok := item[n]; ok && n != "" {
			out[n] = v
		}
	}
	for _, n := range ix.proj.NonKeyAttributes {
		if v, ok := item[n]; ok {
			out[n] = v
		}
	}
	return out
}
