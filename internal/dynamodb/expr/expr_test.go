package expr

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/gureum/gureum/internal/dynamodb/attr"
)

func mustItem(t testing.TB, js string) attr.Item {
	t.Helper()
	var it attr.Item
	if err := json.Unmarshal([]byte(js), &it); err != nil {
		t.Fatalf("item %s: %v", js, err)
	}
	return it
}

// testItem is the item the condition cases are evaluated against (the Developer Guide's
// ProductCatalog example, reduced).
const testItem = `{
 "Id": {"N": "123"}, "Title": {"S": "Bicycle 123"}, "Price": {"N": "500"}, "Color": {"SS": ["Red", "Black"]},
 "Sizes": {"NS": ["1", "2", "3"]}, "Octets": {"B": "AAEC"}, "InStock": {"BOOL": true}, "Nothing": {"NULL": true},
 "ProductReviews": {"M": {"FiveStar": {"L": [{"S": "Excellent! Can't recommend it highly enough!"}, {"S": "Do yourself a favor and buy this."}]},
   "OneStar": {"L": [{"S": "Terrible product! Do not buy this."}]}}},
 "Tags": {"L": [{"S": "a"}, {"N": "2"}, {"M": {"x": {"S": "y"}}}]}, "Blank": {"S": ""}, "Neg": {"N": "-2.5"}
}`

const testValues = `{
 ":n123": {"N": "123"}, ":n1e2": {"N": "1e2"}, ":n500": {"N": "500.0"}, ":n600": {"N": "600"}, ":s": {"S": "Bicycle 123"},
 ":bi": {"S": "Bi"}, ":red": {"S": "Red"}, ":blue": {"S": "Blue"}, ":two": {"N": "2"}, ":three": {"N": "3"}, ":b": {"B": "AAE="},
 ":t": {"BOOL": true}, ":f": {"BOOL": false}, ":null": {"NULL": true}, ":ss": {"SS": ["Black", "Red"]}, ":tS": {"S": "S"},
 ":tSS": {"S": "SS"}, ":tN": {"S": "N"}, ":tM": {"S": "M"}, ":tL": {"S": "L"}, ":tB": {"S": "B"}, ":tBOOL": {"S": "BOOL"},
 ":tNULL": {"S": "NULL"}, ":tNS": {"S": "NS"}, ":bad": {"S": "X"}, ":ex": {"S": "Excellent"}, ":y": {"S": "y"}, ":a": {"S": "a"},
 ":zero": {"N": "0"}, ":empty": {"S": ""}, ":neg": {"N": "-3"}, ":list": {"L": [{"S": "a"}]}, ":one": {"N": "1"}, ":eleven": {"N": "11"}
}`

var testNames = map[string]string{"#pr": "ProductReviews", "#five": "FiveStar", "#t": "Title", "#dot": "a.b", "#size": "Sizes", "#data": "Octets"}

func env(t testing.TB) *Env {
	var vals map[string]attr.Value
	if err := json.Unmarshal([]byte(testValues), &vals); err != nil {
		t.Fatal(err)
	}
	return NewEnv(testNames, vals)
}

// conditionCases are conditions with the answer on testItem.
var conditionCases = []struct {
	expr string
	want bool
}{
	{"Id = :n123", true}, {"Id = :n1e2", false}, {"Price = :n500", true}, {"Price <> :n500", false}, {"Price <> :n600", true},
	{"Price < :n600", true}, {"Price <= :n500", true}, {"Price > :n500", false}, {"Price >= :n500", true}, {"Price > :n1e2", true},
	{"Title = :s", true}, {"#t = :s", true}, {"Title < :bi", false}, {"Title > :bi", true}, {"Title >= :s", true},
	{"Gone = :n123", false}, {"Gone <> :n123", true}, {"Gone < :n123", false}, {"Gone > :n123", false},
	{"Title = :n123", false}, {"Title <> :n123", true}, {"Title < :n123", false}, {"Price < :s", false},
	{"Color = :ss", true}, {"Color <> :ss", false}, {"InStock = :t", true}, {"InStock = :f", false}, {"Nothing = :null", true},
	{"Octets = :b", false}, {"Octets > :b", true}, {"Octets < :b", false}, {"Neg < :zero", true}, {"Neg > :neg", true}, {"Neg < :neg", false},
	{"Price BETWEEN :n123 AND :n600", true}, {"Price BETWEEN :n500 AND :n500", true}, {"Price BETWEEN :n1e2 AND :n123", false},
	{"Gone BETWEEN :n123 AND :n600", false}, {"Title BETWEEN :bi AND :s", true},
	{"Price IN (:n123, :n500)", true}, {"Price IN (:n123)", false}, {"Gone IN (:n123)", false}, {"Title IN (:red, :s)", true},
	{"Id IN (:n1e2, :n123, :n600)", true},
	{"attribute_exists(Id)", true}, {"attribute_exists(Gone)", false}, {"attribute_not_exists(Gone)", true},
	{"attribute_not_exists(Id)", false}, {"attribute_exists(#pr.#five)", true}, {"attribute_exists(#pr.#five[1])", true},
	{"attribute_exists(#pr.#five[2])", false}, {"attribute_exists(#pr.TwoStar)", false}, {"attribute_exists(Tags[2].x)", true},
	{"attribute_exists(Tags[0].x)", false}, {"attribute_exists(Title.x)", false}, {"attribute_exists(Title[0])", false},
	{"attribute_exists(#dot)", false}, {"attribute_exists(Nothing)", true}, {"attribute_exists(Blank)", true},
	{"attribute_type(Title, :tS)", true}, {"attribute_type(Color, :tSS)", true}, {"attribute_type(Price, :tN)", true},
	{"attribute_type(#pr, :tM)", true}, {"attribute_type(Tags, :tL)", true}, {"attribute_type(Octets, :tB)", true},
	{"attribute_type(InStock, :tBOOL)", true}, {"attribute_type(Nothing, :tNULL)", true}, {"attribute_type(Sizes, :tNS)", true},
	{"attribute_type(Title, :tN)", false}, {"attribute_type(Gone, :tS)", false},
	{"begins_with(Title, :bi)", true}, {"begins_with(Title, :red)", false}, {"begins_with(Octets, :b)", true},
	{"begins_with(Gone, :bi)", false}, {"begins_with(Price, :bi)", false}, {"begins_with(#pr.#five[0], :ex)", true},
	{"begins_with(Title, :empty)", true},
	{"contains(Color, :red)", true}, {"contains(Color, :blue)", false}, {"contains(Sizes, :two)", true}, {"contains(Sizes, :n123)", false},
	{"contains(Title, :bi)", true}, {"contains(Title, :red)", false}, {"contains(Tags, :a)", true}, {"contains(Tags, :two)", true},
	{"contains(Tags, :three)", false}, {"contains(Gone, :a)", false}, {"contains(Price, :n500)", false}, {"contains(Color, :two)", false},
	{"contains(Octets, :b)", true},
	{"size(Title) = :eleven", true}, {"size(Color) = :two", true}, {"size(Sizes) = :three", true}, {"size(#pr) = :two", true},
	{"size(Tags) = :three", true}, {"size(Octets) = :three", true}, {"size(Price) = :three", false}, {"size(Gone) = :zero", false},
	{"size(#pr.#five) > :one", true}, {"size(Blank) = :zero", true}, {"size(InStock) = :one", false}, {"size(Title) <> :one", true},
	{"size(Title) BETWEEN :two AND :n123", true}, {"size(Tags[2]) = :one", true},
	{"Id = :n123 AND Price = :n500", true}, {"Id = :n123 AND Price = :n600", false}, {"Id = :n1e2 OR Price = :n500", true},
	{"Id = :n1e2 OR Price = :n600", false}, {"NOT Id = :n123", false}, {"NOT Id = :n1e2", true}, {"NOT NOT Id = :n123", true},
	{"NOT (Id = :n123 AND Price = :n600)", true}, {"(Id = :n1e2 OR Price = :n500) AND InStock = :t", true},
	{"Id = :n1e2 OR Price = :n500 AND InStock = :f", false}, {"Id = :n123 OR Price = :n600 AND InStock = :f", true},
	{"NOT attribute_exists(Gone) AND attribute_exists(Id)", true}, {"attribute_exists(Gone) OR NOT contains(Color, :blue)", true},
	{"(Price > :n1e2) AND (Price < :n600)", true}, {"Price > :n1e2 and Price < :n600", true}, {"Id = :n123 or Gone = :a", true},
	{"not Id = :n1e2", true}, {"Price between :n123 and :n600", true}, {"Price in (:n500)", true},
	{"  Id   =   :n123  ", true}, {"Id=:n123", true}, {"Tags[1] = :two", true}, {"Tags[0] = :a", true}, {"Tags[5] = :a", false},
	{"#pr.OneStar[0] <> :a", true}, {"Color = #pr", false},
}

func TestConditions(t *testing.T) {
	item := mustItem(t, testItem)
	for _, tc := range conditionCases {
		c, err := ParseCondition("ConditionExpression", tc.expr, env(t))
		if err != nil {
			t.Errorf("ParseCondition(%q) = %v", tc.expr, err)
			continue
		}
		if got := Eval(c, item); got != tc.want {
			t.Errorf("Eval(%q) = %v; want %v", tc.expr, got, tc.want)
		}
	}
}

// errorCases are expressions DynamoDB refuses, with its text.
var errorCases = []struct {
	kind, expr, want string
}{
	{"ConditionExpression", "", "Invalid ConditionExpression: The expression can not be empty;"},
	{"ConditionExpression", "   ", "The expression can not be empty;"},
	{"ConditionExpression", "Id = ", `Syntax error; token: "<EOF>"`},
	{"ConditionExpression", "Id == :n123", `Syntax error; token: "="`},
	{"ConditionExpression", "Id = :n123 AND", `Syntax error; token: "<EOF>"`},
	{"ConditionExpression", "Id = :n123)", `Syntax error; token: ")"`},
	{"ConditionExpression", "(Id = :n123", `Syntax error; token: "<EOF>"`},
	{"ConditionExpression", "Id :n123", `Syntax error; token: ":n123"`},
	{"ConditionExpression", "Id = :n123 :n123", `Syntax error; token: ":n123"`},
	{"ConditionExpression", "_Id = :n123", `Syntax error; token: "_"`},
	{"ConditionExpression", "Id = :", `Syntax error; token: ":"`},
	{"ConditionExpression", "# = :n123", `Syntax error; token: "#"`},
	{"ConditionExpression", "Id = :n123 $", `Syntax error; token: "$"`},
	{"ConditionExpression", "Id[:n123] = :n123", `Syntax error; token: ":n123"`},
	{"ConditionExpression", "Id[#t] = :n123", `Syntax error; token: "#t"`},
	{"ConditionExpression", "Id.[1] = :n123", `Syntax error; token: "["`},
	{"ConditionExpression", "Id = :n123 AND AND Id = :n123", `Syntax error; token: "AND"`},
	{"ConditionExpression", "Id BETWEEN :n123", `Syntax error; token: "<EOF>"`},
	{"ConditionExpression", "Id IN :n123", `Syntax error; token: ":n123"`},
	{"ConditionExpression", "Id IN ()", `Syntax error; token: ")"`},
	{"ConditionExpression", "Id", `Syntax error; token: "<EOF>"`},
	{"ConditionExpression", "Id = :n123 NOT", `Syntax error; token: "NOT"`},
	{"ConditionExpression", "Id + :n123 = :n123", `Syntax error; token: "+"`},
	{"ConditionExpression", "#nope = :n123", "An expression attribute name used in the document path is not defined; attribute name: #nope"},
	{"ConditionExpression", "Id = :nope", "An expression attribute value used in expression is not defined; attribute value: :nope"},
	{"ConditionExpression", "name = :s", "Attribute name is a reserved keyword; reserved keyword: name"},
	{"ConditionExpression", "Size = :s", "Attribute name is a reserved keyword; reserved keyword: Size"},
	{"ConditionExpression", "abOrT = :s", "Attribute name is a reserved keyword; reserved keyword: abOrT"},
	{"ConditionExpression", "Title.status = :s", "Attribute name is a reserved keyword; reserved keyword: status"},
	{"ConditionExpression", "attRIbute_exIsts(Id)", "Invalid function name; function: attRIbute_exIsts"},
	{"ConditionExpression", "nosuch(Id)", "Invalid function name; function: nosuch"},
	{"ConditionExpression", "size(Id)", "The function is not allowed to be used this way in an expression; function: size"},
	{"ConditionExpression", "Id = attribute_exists(Id)", "The function is not allowed to be used this way in an expression; function: attribute_exists"},
	{"ConditionExpression", "Id = if_not_exists(Id, :n123)", "The function is not allowed to be used this way in an expression; function: if_not_exists"},
	{"ConditionExpression", "attribute_exists(Id, Title)", "Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 2"},
	{"ConditionExpression", "size(Id, Title) = :n123", "Incorrect number of operands for operator or function; operator or function: size, number of operands: 2"},
	{"ConditionExpression", "begins_with(Title)", "Incorrect number of operands for operator or function; operator or function: begins_with, number of operands: 1"},
	{"ConditionExpression", "contains(Title, :a, :a)", "Incorrect number of operands for operator or function; operator or function: contains, number of operands: 3"},
	{"ConditionExpression", "attribute_exists(:n123)", "Operator or function requires a document path; operator or function: attribute_exists"},
	{"ConditionExpression", "attribute_not_exists(:n123)", "Operator or function requires a document path; operator or function: attribute_not_exists"},
	{"ConditionExpression", "size(:s) = :n123", "Operator or function requires a document path; operator or function: size"},
	{"ConditionExpression", "attribute_type(Id, :bad)", "Invalid attribute type name found; type: X, valid types: {S, SS, N, NS, B, BS, BOOL, NULL, L, M}"},
	{"ConditionExpression", "attribute_type(Id, :n123)", "Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N"},
	{"ConditionExpression", "begins_with(Title, :n123)", "Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"},
	{"ConditionExpression", "begins_with(Title, :t)", "Incorrect operand type for operator or function; operator or function: begins_with, operand type: BOOL"},
	{"ConditionExpression", "Id BETWEEN :n123 AND :s", "The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {N:123}, upper bound operand: AttributeValue: {S:Bicycle 123}"},
	{"ConditionExpression", "Id BETWEEN :n600 AND :n123", "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:600}, upper bound operand: AttributeValue: {N:123}"},
	{"ConditionExpression", "Id = Id", "The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [Id]"},
	{"ConditionExpression", "#t < Title", "The first operand must be distinct from the remaining operands for this operator or function; operator: <, first operand: [Title]"},
	{"ConditionExpression", "contains(Title, #t)", "The first operand must be distinct from the remaining operands for this operator or function; operator: contains"},
	{"ConditionExpression", "#size = Sizes", "The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [Sizes]"},
	{"ConditionExpression", "((Id = :n123))", "The expression has redundant parentheses;"},
	{"ConditionExpression", "Id = :n123 AND ((Price = :n500))", "The expression has redundant parentheses;"},
	{"FilterExpression", "Id = ", "Invalid FilterExpression: Syntax error"},
	{"KeyConditionExpression", "", "Invalid KeyConditionExpression: The expression can not be empty;"},
	{"ConditionExpression", "Id = :n123" + strings.Repeat(" ", 4090), "Expression size has exceeded the maximum allowed size"},
	{"ConditionExpression", "Id IN (" + strings.TrimSuffix(strings.Repeat(":n123,", 101), ",") + ")", "The expression contains too many operands for an IN operator; operand count: 101"},
	{"ConditionExpression", strings.TrimSuffix(strings.Repeat("Id = :n123 AND ", 151), " AND "), "The expression contains too many operators; operator count: 301"},
	{"ConditionExpression", "a" + strings.Repeat(".a", 32) + " = :n123", "The document path has too many nesting levels; nesting levels: 33"},
	{"UpdateExpression", "", "Invalid UpdateExpression: The expression can not be empty;"},
	{"UpdateExpression", "SET", `Syntax error; token: "<EOF>"`},
	{"UpdateExpression", "SET a", `Syntax error; token: "<EOF>"`},
	{"UpdateExpression", "SET a =", `Syntax error; token: "<EOF>"`},
	{"UpdateExpression", "SET a = :n123,", `Syntax error; token: "<EOF>"`},
	{"UpdateExpression", "SET a = :n123 b = :n123", `Syntax error; token: "b"`},
	{"UpdateExpression", "PUT a = :n123", `Syntax error; token: "PUT"`},
	{"UpdateExpression", "SET a = :n123 * :n123", `Syntax error; token: "*"`},
	{"UpdateExpression", "SET a = :n123 + :n123 + :n123", `Syntax error; token: "+"`},
	{"UpdateExpression", "REMOVE a = :n123", `Syntax error; token: "="`},
	{"UpdateExpression", "ADD a", `Syntax error; token: "<EOF>"`},
	{"UpdateExpression", "ADD a b", `Syntax error; token: "b"`},
	{"UpdateExpression", "DELETE a :n123", "Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER"},
	{"UpdateExpression", "ADD a :s", "Incorrect operand type for operator or function; operator: ADD, operand type: STRING"},
	{"UpdateExpression", "ADD a :list", "Incorrect operand type for operator or function; operator: ADD, operand type: LIST"},
	{"UpdateExpression", "ADD a :t", "Incorrect operand type for operator or function; operator: ADD, operand type: BOOLEAN"},
	{"UpdateExpression", "SET a = :n123 SET b = :n123", `The "SET" section can only be used once in an update expression;`},
	{"UpdateExpression", "REMOVE a REMOVE b", `The "REMOVE" section can only be used once in an update expression;`},
	{"UpdateExpression", "set a = :n123 Set b = :n123", `The "SET" section can only be used once in an update expression;`},
	{"UpdateExpression", "SET a = :n123 REMOVE a", "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]"},
	{"UpdateExpression", "SET a = :n123, a.b = :n123", "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]"},
	{"UpdateExpression", "SET a.b = :n123, a[1] = :n123", "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a, [1]]"},
	{"UpdateExpression", "SET a = size(b)", "The function is not allowed in an update expression; function: size"},
	{"UpdateExpression", "SET a = contains(b, :a)", "The function is not allowed in an update expression; function: contains"},
	{"UpdateExpression", "SET a = nope(b)", "Invalid function name; function: nope"},
	{"UpdateExpression", "SET a = if_not_exists(:n123, b)", "Operator or function requires a document path; operator or function: if_not_exists"},
	{"UpdateExpression", "SET a = if_not_exists(b)", "Incorrect number of operands for operator or function; operator or function: if_not_exists, number of operands: 1"},
	{"UpdateExpression", "SET a = list_append(b)", "Incorrect number of operands for operator or function; operator or function: list_append, number of operands: 1"},
	{"UpdateExpression", "SET name = :n123", "Attribute name is a reserved keyword; reserved keyword: name"},
	{"UpdateExpression", "SET #nope = :n123", "An expression attribute name used in the document path is not defined; attribute name: #nope"},
	{"UpdateExpression", "SET a = :nope", "An expression attribute value used in expression is not defined; attribute value: :nope"},
	{"ProjectionExpression", "", "Invalid ProjectionExpression: The expression can not be empty;"},
	{"ProjectionExpression", "a,", `Syntax error; token: "<EOF>"`},
	{"ProjectionExpression", "a b", `Syntax error; token: "b"`},
	{"ProjectionExpression", "a, a", "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]"},
	{"ProjectionExpression", "a, a.b", "Two document paths overlap with each other"},
	{"ProjectionExpression", "a.b, a[0]", "Two document paths conflict with each other"},
	{"ProjectionExpression", "a, :s", `Syntax error; token: ":s"`},
	{"ProjectionExpression", "data", "Attribute name is a reserved keyword; reserved keyword: data"},
}

func TestErrors(t *testing.T) {
	for _, tc := range errorCases {
		var err error
		switch tc.kind {
		case "UpdateExpression":
			_, err = ParseUpdate(tc.expr, env(t))
		case "ProjectionExpression":
			_, err = ParseProjection(tc.expr, env(t))
		default:
			_, err = ParseCondition(tc.kind, tc.expr, env(t))
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %q = %v; want %q", tc.kind, tc.expr, err, tc.want)
		}
	}
}

// updateCases apply an update to a small item and compare the result.
var updateCases = []struct {
	item, expr, want, err string
}{
	{`{}`, "SET a = :one", `{"a":{"N":"1"}}`, ""},
	{`{"a":{"N":"1"}}`, "SET a = a + :two", `{"a":{"N":"3"}}`, ""},
	{`{"a":{"N":"1"}}`, "SET a = a - :two", `{"a":{"N":"-1"}}`, ""},
	{`{"a":{"N":"1"}}`, "SET b = a + a", `{"a":{"N":"1"},"b":{"N":"2"}}`, ""},
	{`{"a":{"N":"0.1"}}`, "SET a = a + :two", `{"a":{"N":"2.1"}}`, ""},
	{`{}`, "SET a = b + :one", ``, "The provided expression refers to an attribute that does not exist in the item"},
	{`{"a":{"S":"x"}}`, "SET a = a + :one", ``, "An operand in the update expression has an incorrect data type"},
	{`{}`, "SET a = if_not_exists(a, :one)", `{"a":{"N":"1"}}`, ""},
	{`{"a":{"N":"5"}}`, "SET a = if_not_exists(a, :one)", `{"a":{"N":"5"}}`, ""},
	{`{}`, "SET l = list_append(if_not_exists(l, :emptyl), :l1)", `{"l":{"L":[{"S":"x"}]}}`, ""},
	{`{"l":{"L":[{"S":"a"}]}}`, "SET l = list_append(:l1, l)", `{"l":{"L":[{"S":"x"},{"S":"a"}]}}`, ""},
	{`{"l":{"S":"a"}}`, "SET l = list_append(l, :l1)", ``, "An operand in the update expression has an incorrect data type"},
	{`{"l":{"L":[{"N":"2"},{"N":"3"},{"N":"4"},{"N":"5"},{"N":"6"},{"N":"7"}]}}`, "REMOVE l[1] SET l[3] = :n17", `{"l":{"L":[{"N":"2"},{"N":"4"},{"N":"17"},{"N":"6"},{"N":"7"}]}}`, ""},
	{`{"l":{"L":[{"N":"2"},{"N":"3"},{"N":"4"}]}}`, "SET l[7] = :one", `{"l":{"L":[{"N":"2"},{"N":"3"},{"N":"4"},{"N":"1"}]}}`, ""},
	{`{"l":{"L":[{"N":"2"},{"N":"3"},{"N":"4"}]}}`, "REMOVE l[17]", `{"l":{"L":[{"N":"2"},{"N":"3"},{"N":"4"}]}}`, ""},
	{`{"l":{"L":[{"N":"2"},{"N":"3"},{"N":"4"}]}}`, "REMOVE l[0], l[2]", `{"l":{"L":[{"N":"3"}]}}`, ""},
	{`{"l":{"L":[{"N":"2"}]}}`, "REMOVE l[0]", `{"l":{"L":[]}}`, ""},
	{`{"m":{"M":{"a":{"N":"1"}}}}`, "REMOVE m.a", `{"m":{"M":{}}}`, ""},
	{`{"m":{"M":{"a":{"N":"1"}}}}`, "SET m.b = :one", `{"m":{"M":{"a":{"N":"1"},"b":{"N":"1"}}}}`, ""},
	{`{"m":{"M":{}}}`, "SET m.b.c = :one", ``, "The document path provided in the update expression is invalid for update"},
	{`{}`, "SET m.b = :one", ``, "The document path provided in the update expression is invalid for update"},
	{`{"s":{"S":"x"}}`, "SET s.b = :one", ``, "The document path provided in the update expression is invalid for update"},
	{`{}`, "REMOVE m.b", `{}`, ""},
	{`{}`, "ADD c :one", `{"c":{"N":"1"}}`, ""},
	{`{"c":{"N":"1"}}`, "ADD c :two", `{"c":{"N":"3"}}`, ""},
	{`{"c":{"S":"1"}}`, "ADD c :two", ``, "An operand in the update expression has an incorrect data type"},
	{`{}`, "ADD s :ss", `{"s":{"SS":["a","b"]}}`, ""},
	{`{"s":{"SS":["b","c"]}}`, "ADD s :ss", `{"s":{"SS":["b","c","a"]}}`, ""},
	{`{"s":{"NS":["1"]}}`, "ADD s :ns", `{"s":{"NS":["1","2"]}}`, ""},
	{`{"s":{"NS":["1"]}}`, "ADD s :ss", ``, "An operand in the update expression has an incorrect data type"},
	{`{"s":{"SS":["a","b","c"]}}`, "DELETE s :ss", `{"s":{"SS":["c"]}}`, ""},
	{`{"s":{"SS":["a","b"]}}`, "DELETE s :ss", `{}`, ""},
	{`{}`, "DELETE s :ss", `{}`, ""},
	{`{"s":{"NS":["1.0","2","3"]}}`, "DELETE s :ns", `{"s":{"NS":["3"]}}`, ""},
	{`{"a":{"N":"9e125"}}`, "SET a = a + a", ``, "Number overflow"},
	{`{"a":{"N":"1"}}`, "SET b = a, a = :two", `{"a":{"N":"2"},"b":{"N":"1"}}`, ""},
	{`{"a":{"N":"1"},"b":{"N":"2"}}`, "set a = b, b = a", `{"a":{"N":"2"},"b":{"N":"1"}}`, ""},
	{`{"a":{"N":"1"}}`, "REMOVE a ADD c :one", `{"c":{"N":"1"}}`, ""},
}

func TestUpdates(t *testing.T) {
	vals := map[string]attr.Value{}
	json.Unmarshal([]byte(`{":one":{"N":"1"},":two":{"N":"2"},":n17":{"N":"17"},":emptyl":{"L":[]},":l1":{"L":[{"S":"x"}]},
		":ss":{"SS":["a","b"]},":ns":{"NS":["1","2"]}}`), &vals)
	for _, tc := range updateCases {
		u, err := ParseUpdate(tc.expr, NewEnv(nil, vals))
		if err != nil {
			t.Errorf("ParseUpdate(%q) = %v", tc.expr, err)
			continue
		}
		got, err := u.Apply(mustItem(t, tc.item))
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("Apply(%s, %q) = %v; want %q", tc.item, tc.expr, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("Apply(%s, %q) = %v", tc.item, tc.expr, err)
			continue
		}
		if !itemsEqual(got, mustItem(t, tc.want)) {
			t.Errorf("Apply(%s, %q) = %s; want %s", tc.item, tc.expr, attr.EncodeItem(got), tc.want)
		}
	}
}

func itemsEqual(a, b attr.Item) bool {
	return attr.Equal(attr.Value{Kind: attr.M, M: a}, attr.Value{Kind: attr.M, M: b})
}

// TestComparisonMatrix compares every pair of a set of values with every comparator: equal
// kinds order as DynamoDB orders them, other pairs are false except <>.
func TestComparisonMatrix(t *testing.T) {
	vals := []attr.Value{attr.Num("-10"), attr.Num("0"), attr.Num("2.5"), attr.Num("10"), attr.Str("A"), attr.Str("a"), attr.Str("ab"),
		attr.Bin([]byte{1}), attr.Bin([]byte{0xff})}
	rank := map[int]int{0: 0, 1: 1, 2: 2, 3: 3, 4: 0, 5: 1, 6: 2, 7: 0, 8: 1}
	n := 0
	for i, a := range vals {
		for j, b := range vals {
			for _, op := range []string{"=", "<>", "<", "<=", ">", ">="} {
				same := a.Kind == b.Kind
				var want bool
				switch op {
				case "=":
					want = same && i == j
				case "<>":
					want = !(same && i == j)
				case "<":
					want = same && rank[i] < rank[j]
				case "<=":
					want = same && rank[i] <= rank[j]
				case ">":
					want = same && rank[i] > rank[j]
				case ">=":
					want = same && rank[i] >= rank[j]
				}
				c := &Compare{Op: op, A: &ValueOp{V: a}, B: &ValueOp{V: b}}
				if got := Eval(c, nil); got != want {
					t.Errorf("%s %s %s = %v; want %v", a.Brief(), op, b.Brief(), got, want)
				}
				n++
			}
		}
	}
	if total := n + len(conditionCases) + len(errorCases) + len(updateCases); total < 300 {
		t.Errorf("the expression tests hold %d cases; want at least 300", total)
	}
}

func TestUnused(t *testing.T) {
	e := NewEnv(map[string]string{"#a": "a", "#b": "b", "#c": "c"}, map[string]attr.Value{":x": attr.Num("1")})
	if _, err := ParseCondition("ConditionExpression", "#a = :x", e); err != nil {
		t.Fatal(err)
	}
	if err := e.Unused(); err == nil || err.Error() != "Value provided in ExpressionAttributeNames unused in expressions: keys: {#b, #c}" {
		t.Errorf("Unused = %v", err)
	}
}

func FuzzParse(f *testing.F) {
	for _, tc := range conditionCases {
		f.Add(tc.expr)
	}
	for _, tc := range errorCases {
		f.Add(tc.expr)
	}
	for _, tc := range updateCases {
		f.Add(tc.expr)
	}
	item := mustItem(f, testItem)
	f.Fuzz(func(t *testing.T, src string) {
		if c, err := ParseCondition("ConditionExpression", src, env(t)); err == nil {
			Eval(c, item)
		} else if _, ok := err.(*Error); !ok {
			t.Fatalf("ParseCondition(%q) = %T %v; want *Error", src, err, err)
		}
		if u, err := ParseUpdate(src, env(t)); err == nil {
			u.Apply(item)
		}
		if p, err := ParseProjection(src, env(t)); err == nil {
			Project(item, p)
		}
	})
}

func TestNumbers(t *testing.T) {
	for in, want := range map[string]string{"007": "7", "001.23": "1.23", "+3": "3", "1.0": "1", "1.10": "1.1", "1e3": "1000", "1E+3": "1000",
		"1.5e2": "150", "1e-3": "0.001", "-0": "0", "-0.0": "0", "0e5": "0", ".5": "0.5", "-.5": "-0.5", "1e-20": "0.00000000000000000001",
		"1e125": "1" + strings.Repeat("0", 125), "-17.4E37": "-174" + strings.Repeat("0", 36)} {
		n, err := attr.ParseNumber(in)
		if err != nil || n.String() != want {
			t.Errorf("ParseNumber(%q) = %s, %v; want %s", in, n, err, want)
		}
	}
	for in, want := range map[string]string{"": "The parameter cannot be converted to a numeric value", "b": "The parameter cannot be converted to a numeric value: b",
		"NaN": "numeric value: NaN", "Infinity": "numeric value", " 1": "numeric value", "1e126": "Number overflow", "1e-131": "Number underflow",
		"12345678901234567890123456789012345678901": "more than 38 significant digits", "1..2": "numeric value", "1e": "numeric value", "e5": "numeric value"} {
		if _, err := attr.ParseNumber(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseNumber(%q) = %v; want %q", in, err, want)
		}
	}
	// Key encodings order as the numbers do.
	ordered := []string{"-1e125", "-10", "-2.5", "-2.45", "-2", "-0.001", "0", "1e-130", "0.001", "1", "1.5", "2", "10", "99", "100", "1e125"}
	for i := 1; i < len(ordered); i++ {
		a, _ := attr.ParseNumber(ordered[i-1])
		b, _ := attr.ParseNumber(ordered[i])
		if string(a.Key()) >= string(b.Key()) {
			t.Errorf("Key(%s) >= Key(%s)", ordered[i-1], ordered[i])
		}
	}
}
