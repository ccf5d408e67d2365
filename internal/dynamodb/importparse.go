package dynamodb

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/gureum/gureum/internal/dynamodb/attr"
	"github.com/gureum/gureum/internal/dynamodb/ion"
)

// The parsers of ImportTable's input formats. Each yields items one at a time and reports a
// line it cannot read as an error for that line (counted in the import's ErrorCount, as AWS
// counts them) without stopping.

// maxImportLine bounds one line of an import file: an item is at most 400 KB, and its DynamoDB
// JSON at most a few times that.
const maxImportLine = 4 << 20

// parseDynamoJSONLine reads one line of a DYNAMODB_JSON import file: {"Item": {...}}.
func parseDynamoJSONLine(line []byte) (Item, error) {
	var rec struct {
		Item *Item `json:"Item"`
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	if err := dec.Decode(&rec); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("more than one JSON value on a line")
	}
	if rec.Item == nil {
		return nil, errors.New(`the line has no "Item"`)
	}
	if msg := attr.CheckItem(*rec.Item); msg != "" {
		return nil, errors.New(msg)
	}
	return *rec.Item, nil
}

// dynamoJSONItems calls fn with each item of a DYNAMODB_JSON file, or with the error of a
// line; blank lines are skipped. It returns the reader's error.
func dynamoJSONItems(r io.Reader, fn func(Item, error) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxImportLine)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		if err := fn(parseDynamoJSONLine(line)); err != nil {
			return err
		}
	}
	return sc.Err()
}

// maxImportObject bounds an Ion import object once read (Ion is read whole, since a value
// may span lines).
const maxImportObject = 1 << 30

// ionItems calls fn with each item of an ION file ({Item:{...}} values, as an Ion export
// writes them, one a line after the version marker), or with the error of a value.
func ionItems(r io.Reader, fn func(Item, error) error) error {
	data, err := io.ReadAll(io.LimitReader(r, maxImportObject+1))
	if err != nil {
		return err
	}
	if len(data) > maxImportObject {
		return errors.New("the object is larger than 1 GiB")
	}
	return ion.Values(data, func(v attr.Value, err error) error {
		if err != nil {
			return fn(nil, err)
		}
		return fn(ionItem(v))
	})
}

// ionItem is the item of one Ion value: a struct with an Item struct.
func ionItem(v attr.Value) (Item, error) {
	it, ok := v.M["Item"]
	if v.Kind != attr.M || !ok || it.Kind != attr.M {
		return nil, errors.New(`the value is not a struct with an "Item" struct`)
	}
	if msg := attr.CheckItem(it.M); msg != "" {
		return nil, errors.New(msg)
	}
	return it.M, nil
}

// csvFormat is how a CSV import file is read: its delimiter, its header (nil: the file's first
// line), and the types of the key attributes (every other value is a string, as on AWS).
type csvFormat struct {
	delimiter rune
	header    []string
	keyTypes  map[string]attr.Kind
}

// newCSVFormat checks ImportTable's CsvOptions.
func newCSVFormat(delimiter string, header []string, keyTypes map[string]attr.Kind) (*csvFormat, error) {
	f := &csvFormat{delimiter: ',', header: header, keyTypes: keyTypes}
	if delimiter != "" {
		r := []rune(delimiter)
		if len(r) != 1 || !strings.ContainsRune(",\t:; |", r[0]) {
			return nil, validation("1 validation error detected: Value '%s' at 'inputFormatOptions.csv.delimiter' failed to satisfy constraint: Member must satisfy regular expression pattern: [,;:|\\t ]", delimiter)
		}
		f.delimiter = r[0]
	}
	return f, nil
}

// csvItems calls fn with each row of a CSV file as an item, or with a row's error. Empty
// values are left out of the item.
func (f *csvFormat) items(r io.Reader, fn func(Item, error) error) error {
	cr := csv.NewReader(r)
	cr.Comma = f.delimiter
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header := f.header
	for {
		row, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		var perr *csv.ParseError
		if errors.As(err, &perr) {
			if err := fn(nil, err); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		if header == nil {
			header = append([]string(nil), row...)
			continue
		}
		if err := fn(f.item(header, row)); err != nil {
			return err
		}
	}
}

// item is one CSV row as an item.
func (f *csvFormat) item(header, row []string) (Item, error) {
	if len(row) > len(header) {
		return nil, fmt.Errorf("the row has %d values for %d columns", len(row), len(header))
	}
	it := Item{}
	for i, v := range row {
		name := header[i]
		if v == "" || name == "" {
			continue
		}
		switch f.keyTypes[name] {
		case attr.N:
			n, err := attr.ParseNumber(v)
			if err != nil {
				return nil, err
			}
			it[name] = attr.Num(n.String())
		case attr.B:
			b, err := base64.StdEncoding.DecodeString(v)
			if err != nil {
				return nil, fmt.Errorf("%s: %v", name, err)
			}
			it[name] = attr.Bin(b)
		default:
			it[name] = attr.Str(v)
		}
	}
	return it, nil
}
