package sqs_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gureum/gureum/internal/gureumtest"
)

// jsonCall sends a signed AWS JSON 1.0 request, as current SDKs do.
func jsonCall(t *testing.T, srv *gureumtest.Server, op, body string) (int, http.Header, string) {
	t.Helper()
	r, _ := http.NewRequest("POST", srv.Endpoint+"/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-amz-json-1.0")
	r.Header.Set("X-Amz-Target", "AmazonSQS."+op)
	return gureumtest.Do(t, gureumtest.Sign(t, r, []byte(body), "sqs"))
}

// queryCall sends a signed query-protocol form to path, as older SDKs and CLIs do.
func queryCall(t *testing.T, srv *gureumtest.Server, path string, form url.Values) (int, http.Header, string) {
	t.Helper()
	form.Set("Version", "2012-11-05")
	body := form.Encode()
	r, _ := http.NewRequest("POST", srv.Endpoint+path, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return gureumtest.Do(t, gureumtest.Sign(t, r, []byte(body), "sqs"))
}

func TestJSONWire(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{})
	status, _, body := jsonCall(t, srv, "CreateQueue", `{"QueueName":"j"}`)
	if status != 200 || !strings.Contains(body, `"QueueUrl":"`+srv.Endpoint+`/000000000000/j"`) {
		t.Fatalf("CreateQueue = %d %s", status, body)
	}
	q := srv.Endpoint + "/000000000000/j"
	tests := []struct {
		op, body, typ, queryErr string
		status                  int
	}{
		{"GetQueueUrl", `{"QueueName":"nope"}`, "com.amazonaws.sqs#QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue;Sender", 400},
		{"SendMessage", `{"QueueUrl":"` + q + `"}`, "com.amazonaws.sqs#MissingParameter", "MissingParameter;Sender", 400},
		{"SendMessageBatch", `{"QueueUrl":"` + q + `","Entries":[]}`, "com.amazonaws.sqs#EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest;Sender", 400},
		{"DeleteMessage", `{"QueueUrl":"` + q + `","ReceiptHandle":"x"}`, "com.amazonaws.sqs#ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid;Sender", 404},
		{"SendMessage", `{"QueueUrl":5}`, "com.amazonaws.sqs#SerializationException", "SerializationException;Sender", 400},
		{"SendMessage", `{not json`, "com.amazonaws.sqs#SerializationException", "SerializationException;Sender", 400},
		{"Frobnicate", `{}`, "com.amazonaws.sqs#UnknownOperationException", "InvalidAction;Sender", 400},
	}
	for _, tt := range tests {
		status, h, body := jsonCall(t, srv, tt.op, tt.body)
		var e struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		json.Unmarshal([]byte(body), &e)
		if status != tt.status || e.Type != tt.typ || h.Get("x-amzn-query-error") != tt.queryErr || e.Message == "" {
			t.Errorf("%s %s = %d %s (x-amzn-query-error %q); want %d %s %s", tt.op, tt.body, status, body, h.Get("x-amzn-query-error"), tt.status, tt.typ, tt.queryErr)
		}
	}
}

func TestQueryProtocol(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{})
	status, _, body := queryCall(t, srv, "/", url.Values{"Action": {"CreateQueue"}, "QueueName": {"legacy"},
		"Attribute.1.Name": {"VisibilityTimeout"}, "Attribute.1.Value": {"45"}, "Tag.1.Key": {"team"}, "Tag.1.Value": {"core"}})
	want := "<CreateQueueResponse xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\"><CreateQueueResult><QueueUrl>" + srv.Endpoint + "/000000000000/legacy</QueueUrl></CreateQueueResult><ResponseMetadata><RequestId>"
	if status != 200 || !strings.Contains(body, want) {
		t.Fatalf("CreateQueue = %d %s", status, body)
	}
	q := srv.Endpoint + "/000000000000/legacy"
	status, _, body = queryCall(t, srv, "/", url.Values{"Action": {"SendMessage"}, "QueueUrl": {q}, "MessageBody": {"hi & <there>"},
		"MessageAttribute.1.Name": {"k"}, "MessageAttribute.1.Value.DataType": {"String"}, "MessageAttribute.1.Value.StringValue": {"v"}})
	if status != 200 || !strings.Contains(body, "<MD5OfMessageBody>") || !strings.Contains(body, "<MD5OfMessageAttributes>0a77b0642718c3d9dd47090567d11e0d</MD5OfMessageAttributes>") {
		t.Fatalf("SendMessage = %d %s", status, body)
	}
	// Older clients post to the queue URL itself, without a QueueUrl parameter.
	status, _, body = queryCall(t, srv, "/000000000000/legacy", url.Values{"Action": {"ReceiveMessage"}, "AttributeName.1": {"All"},
		"MessageAttributeName.1": {"All"}, "MaxNumberOfMessages": {"10"}})
	for _, want := range []string{"<Body>hi &amp; &lt;there&gt;</Body>", "<Attribute><Name>ApproximateReceiveCount</Name><Value>1</Value></Attribute>",
		"<MessageAttribute><Name>k</Name><Value><DataType>String</DataType><StringValue>v</StringValue></Value></MessageAttribute>", "<ReceiptHandle>"} {
		if status != 200 || !strings.Contains(body, want) {
			t.Errorf("ReceiveMessage = %d %s; want %s", status, body, want)
		}
	}
	// The other path form clients use: …/queue/<name> for the caller's own queue.
	status, _, body = queryCall(t, srv, "/queue/legacy", url.Values{"Action": {"GetQueueAttributes"}, "AttributeName.1": {"QueueArn"}})
	if status != 200 || !strings.Contains(body, "<Value>arn:aws:sqs:us-east-1:000000000000:legacy</Value>") {
		t.Errorf("GetQueueAttributes on /queue/legacy = %d %s", status, body)
	}
	status, _, body = jsonCall(t, srv, "GetQueueAttributes", `{"QueueUrl":"`+srv.Endpoint+`/queue/legacy","AttributeNames":["VisibilityTimeout"]}`)
	if status != 200 || !strings.Contains(body, `"VisibilityTimeout":"45"`) {
		t.Errorf("JSON GetQueueAttributes with a /queue/ URL = %d %s", status, body)
	}
	status, _, body = queryCall(t, srv, "/", url.Values{"Action": {"GetQueueAttributes"}, "QueueUrl": {q}, "AttributeName.1": {"VisibilityTimeout"}})
	if status != 200 || !strings.Contains(body, "<Attribute><Name>VisibilityTimeout</Name><Value>45</Value></Attribute>") {
		t.Errorf("GetQueueAttributes = %d %s", status, body)
	}
	status, _, body = queryCall(t, srv, "/", url.Values{"Action": {"ListQueueTags"}, "QueueUrl": {q}})
	if status != 200 || !strings.Contains(body, "<Tag><Key>team</Key><Value>core</Value></Tag>") {
		t.Errorf("ListQueueTags = %d %s", status, body)
	}
	status, _, body = queryCall(t, srv, "/", url.Values{"Action": {"GetQueueUrl"}, "QueueName": {"missing"}})
	if status != 400 || !strings.Contains(body, "<Type>Sender</Type><Code>AWS.SimpleQueueService.NonExistentQueue</Code>") {
		t.Errorf("GetQueueUrl(missing) = %d %s", status, body)
	}
	status, _, body = queryCall(t, srv, "/", url.Values{"Action": {"SendMessageBatch"}, "QueueUrl": {q},
		"SendMessageBatchRequestEntry.1.Id": {"a"}, "SendMessageBatchRequestEntry.1.MessageBody": {"x"},
		"SendMessageBatchRequestEntry.2.Id": {"a"}, "SendMessageBatchRequestEntry.2.MessageBody": {"y"}})
	if status != 400 || !strings.Contains(body, "<Code>AWS.SimpleQueueService.BatchEntryIdsNotDistinct</Code>") {
		t.Errorf("SendMessageBatch(duplicate ids) = %d %s", status, body)
	}
	status, _, body = queryCall(t, srv, "/", url.Values{"Action": {"SendMessageBatch"}, "QueueUrl": {q},
		"SendMessageBatchRequestEntry.1.Id": {"a"}, "SendMessageBatchRequestEntry.1.MessageBody": {"x"},
		"SendMessageBatchRequestEntry.2.Id": {"b"}, "SendMessageBatchRequestEntry.2.MessageBody": {"y"}})
	if status != 200 || strings.Count(body, "<SendMessageBatchResultEntry><Id>") != 2 {
		t.Errorf("SendMessageBatch = %d %s", status, body)
	}
	status, _, body = queryCall(t, srv, "/", url.Values{"Action": {"ListQueues"}})
	if status != 200 || !strings.Contains(body, "<ListQueuesResult><QueueUrl>"+q+"</QueueUrl></ListQueuesResult>") {
		t.Errorf("ListQueues = %d %s", status, body)
	}
}

// TestQueryInvalidText: the query protocol lets any byte through, so text SQS does not allow is
// refused wherever it is stored and later returned, not only in message bodies: message
// attributes, queue attributes and tags, which a JSON response could not carry unchanged.
func TestQueryInvalidText(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{})
	q := srv.Endpoint + "/000000000000/text"
	if status, _, body := queryCall(t, srv, "/", url.Values{"Action": {"CreateQueue"}, "QueueName": {"text"}}); status != 200 {
		t.Fatalf("CreateQueue = %d %s", status, body)
	}
	tests := []struct {
		name string
		form url.Values
		want string
	}{
		{"message body", url.Values{"Action": {"SendMessage"}, "QueueUrl": {q}, "MessageBody": {"a\xffb"}}, "InvalidMessageContents"},
		{"message body, encoded surrogate", url.Values{"Action": {"SendMessage"}, "QueueUrl": {q}, "MessageBody": {"\xed\xa0\x80"}}, "InvalidMessageContents"},
		{"message attribute", url.Values{"Action": {"SendMessage"}, "QueueUrl": {q}, "MessageBody": {"ok"},
			"MessageAttribute.1.Name": {"k"}, "MessageAttribute.1.Value.DataType": {"String"}, "MessageAttribute.1.Value.StringValue": {"\xff"}}, "InvalidMessageContents"},
		{"queue attribute", url.Values{"Action": {"SetQueueAttributes"}, "QueueUrl": {q},
			"Attribute.1.Name": {"KmsMasterKeyId"}, "Attribute.1.Value": {"key\xff"}}, "InvalidAttributeValue"},
		{"tag value", url.Values{"Action": {"TagQueue"}, "QueueUrl": {q}, "Tag.1.Key": {"k"}, "Tag.1.Value": {"\xff"}}, "InvalidParameterValue"},
		{"tag key at creation", url.Values{"Action": {"CreateQueue"}, "QueueName": {"tagged"}, "Tag.1.Key": {"\x01"}, "Tag.1.Value": {"v"}}, "InvalidParameterValue"},
	}
	for _, tt := range tests {
		status, _, body := queryCall(t, srv, "/", tt.form)
		if status != 400 || !strings.Contains(body, tt.want) {
			t.Errorf("%s = %d %s; want 400 %s", tt.name, status, body, tt.want)
		}
	}
}
