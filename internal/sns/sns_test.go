package sns_test

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"

	"github.com/gureum/gureum/internal/gureumtest"
)

var bg = context.Background()

type clients struct {
	sns *sns.Client
	sqs *sqs.Client
	srv *gureumtest.Server
}

// each runs fn against a fresh server on every store backend.
func each(t *testing.T, fn func(t *testing.T, c clients)) {
	for _, b := range gureumtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			srv := gureumtest.Start(t, gureumtest.Options{Args: append([]string{"--log-level", "warn"}, b.Args...)})
			fn(t, clients{sns.NewFromConfig(srv.Config()), sqs.NewFromConfig(srv.Config()), srv})
		})
	}
}

func apiError(err error) (code, msg string) {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode(), ae.ErrorMessage()
	}
	return fmt.Sprintf("no API error: %v", err), ""
}

func topic(t *testing.T, c clients, name string, attrs map[string]string) string {
	t.Helper()
	out, err := c.sns.CreateTopic(bg, &sns.CreateTopicInput{Name: aws.String(name), Attributes: attrs})
	if err != nil {
		t.Fatalf("CreateTopic(%s): %v", name, err)
	}
	return *out.TopicArn
}

// queue creates a queue and returns its URL and ARN.
func queue(t *testing.T, c clients, name string, attrs map[string]string) (string, string) {
	t.Helper()
	out, err := c.sqs.CreateQueue(bg, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		t.Fatalf("CreateQueue(%s): %v", name, err)
	}
	return *out.QueueUrl, "arn:aws:sqs:us-east-1:000000000000:" + name
}

func subscribe(t *testing.T, c clients, topicARN, protocol, endpoint string, attrs map[string]string) string {
	t.Helper()
	out, err := c.sns.Subscribe(bg, &sns.SubscribeInput{TopicArn: &topicARN, Protocol: &protocol, Endpoint: &endpoint, Attributes: attrs, ReturnSubscriptionArn: true})
	if err != nil {
		t.Fatalf("Subscribe(%s %s): %v", protocol, endpoint, err)
	}
	return *out.SubscriptionArn
}

// receive waits up to a few seconds for up to n messages.
func receive(t *testing.T, c clients, url string, wait int32) []sqstypes.Message {
	t.Helper()
	out, err := c.sqs.ReceiveMessage(bg, &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10, WaitTimeSeconds: wait,
		MessageAttributeNames: []string{"All"}, MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{"All"}})
	if err != nil {
		t.Fatalf("ReceiveMessage: %v", err)
	}
	return out.Messages
}

func TestTopicLifecycle(t *testing.T) {
	each(t, func(t *testing.T, c clients) {
		arn := topic(t, c, "orders", map[string]string{"DisplayName": "Orders"})
		if arn != "arn:aws:sns:us-east-1:000000000000:orders" {
			t.Errorf("TopicArn = %s", arn)
		}
		if again := topic(t, c, "orders", map[string]string{"DisplayName": "Orders"}); again != arn {
			t.Errorf("CreateTopic(again) = %s; want %s", again, arn)
		}
		_, err := c.sns.CreateTopic(bg, &sns.CreateTopicInput{Name: aws.String("orders"), Attributes: map[string]string{"DisplayName": "Other"}})
		if code, msg := apiError(err); code != "InvalidParameter" || msg != "Invalid parameter: Attributes Reason: Topic already exists with different attributes" {
			t.Errorf("CreateTopic(different attributes) = %s %q", code, msg)
		}
		for _, bad := range []string{"", "a b", strings.Repeat("x", 257), "x.fifo"} {
			_, err := c.sns.CreateTopic(bg, &sns.CreateTopicInput{Name: aws.String(bad)})
			if code, msg := apiError(err); code != "InvalidParameter" || msg != "Invalid parameter: Topic Name" {
				t.Errorf("CreateTopic(%q) = %s %q", bad, code, msg)
			}
		}
		_, err = c.sns.CreateTopic(bg, &sns.CreateTopicInput{Name: aws.String("nofifo"), Attributes: map[string]string{"FifoTopic": "true"}})
		if code, _ := apiError(err); code != "InvalidParameter" {
			t.Errorf("CreateTopic(FIFO without .fifo) = %v", err)
		}
		fifo := topic(t, c, "orders.fifo", map[string]string{"FifoTopic": "true", "ContentBasedDeduplication": "true"})

		attrs, err := c.sns.GetTopicAttributes(bg, &sns.GetTopicAttributesInput{TopicArn: &fifo})
		if err != nil || attrs.Attributes["FifoTopic"] != "true" || attrs.Attributes["ContentBasedDeduplication"] != "true" ||
			attrs.Attributes["Owner"] != "000000000000" || attrs.Attributes["TopicArn"] != fifo || attrs.Attributes["Policy"] == "" {
			t.Errorf("GetTopicAttributes(fifo) = %v, %v", attrs, err)
		}
		if _, err := c.sns.SetTopicAttributes(bg, &sns.SetTopicAttributesInput{TopicArn: &arn, AttributeName: aws.String("KmsMasterKeyId"), AttributeValue: aws.String("alias/aws/sns")}); err != nil {
			t.Fatal(err)
		}
		_, err = c.sns.SetTopicAttributes(bg, &sns.SetTopicAttributesInput{TopicArn: &arn, AttributeName: aws.String("Bogus"), AttributeValue: aws.String("x")})
		if code, msg := apiError(err); code != "InvalidParameter" || msg != "Invalid parameter: AttributeName" {
			t.Errorf("SetTopicAttributes(Bogus) = %s %q", code, msg)
		}
		attrs, _ = c.sns.GetTopicAttributes(bg, &sns.GetTopicAttributesInput{TopicArn: &arn})
		if attrs.Attributes["KmsMasterKeyId"] != "alias/aws/sns" || attrs.Attributes["DisplayName"] != "Orders" || attrs.Attributes["FifoTopic"] != "" {
			t.Errorf("GetTopicAttributes = %v", attrs.Attributes)
		}

		if _, err := c.sns.TagResource(bg, &sns.TagResourceInput{ResourceArn: &arn, Tags: []snstypes.Tag{{Key: aws.String("team"), Value: aws.String("a")}, {Key: aws.String("env"), Value: aws.String("dev")}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.sns.UntagResource(bg, &sns.UntagResourceInput{ResourceArn: &arn, TagKeys: []string{"env"}}); err != nil {
			t.Fatal(err)
		}
		tags, err := c.sns.ListTagsForResource(bg, &sns.ListTagsForResourceInput{ResourceArn: &arn})
		if err != nil || len(tags.Tags) != 1 || *tags.Tags[0].Key != "team" {
			t.Errorf("ListTagsForResource = %+v, %v", tags, err)
		}

		missing := "arn:aws:sns:us-east-1:000000000000:missing"
		_, err = c.sns.GetTopicAttributes(bg, &sns.GetTopicAttributesInput{TopicArn: &missing})
		var nf *snstypes.NotFoundException
		if !errors.As(err, &nf) {
			t.Errorf("GetTopicAttributes(missing) = %v; want NotFound", err)
		}
		_, err = c.sns.ListTagsForResource(bg, &sns.ListTagsForResourceInput{ResourceArn: &missing})
		if code, _ := apiError(err); code != "ResourceNotFound" {
			t.Errorf("ListTagsForResource(missing) = %v; want ResourceNotFound", err)
		}

		if _, err := c.sns.DeleteTopic(bg, &sns.DeleteTopicInput{TopicArn: &arn}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.sns.DeleteTopic(bg, &sns.DeleteTopicInput{TopicArn: &arn}); err != nil {
			t.Errorf("DeleteTopic(again) = %v; want success", err)
		}
		list, err := c.sns.ListTopics(bg, &sns.ListTopicsInput{})
		if err != nil || len(list.Topics) != 1 || *list.Topics[0].TopicArn != fifo || list.NextToken != nil {
			t.Errorf("ListTopics = %+v, %v", list, err)
		}
	})
}

func TestListTopicsPages(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{Args: []string{"--log-level", "warn"}})
	c := clients{sns.NewFromConfig(srv.Config()), sqs.NewFromConfig(srv.Config()), srv}
	for i := range 105 {
		topic(t, c, fmt.Sprintf("t%03d", i), nil)
	}
	var got []string
	p := sns.NewListTopicsPaginator(c.sns, &sns.ListTopicsInput{})
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(bg)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, tp := range page.Topics {
			got = append(got, *tp.TopicArn)
		}
	}
	if pages != 2 || len(got) != 105 || !strings.HasSuffix(got[104], ":t104") {
		t.Errorf("ListTopics: %d pages, %d topics", pages, len(got))
	}
}

func TestFanOutWithFilterPolicy(t *testing.T) {
	each(t, func(t *testing.T, c clients) {
		arn := topic(t, c, "events", nil)
		redURL, redARN := queue(t, c, "red", nil)
		blueURL, blueARN := queue(t, c, "blue", nil)
		rawURL, rawARN := queue(t, c, "raw", nil)
		subscribe(t, c, arn, "sqs", redARN, map[string]string{"FilterPolicy": `{"color":["red"]}`})
		subscribe(t, c, arn, "sqs", blueARN, map[string]string{"FilterPolicy": `{"color":["blue"]}`})
		subscribe(t, c, arn, "sqs", rawARN, map[string]string{"RawMessageDelivery": "true"})
		bodyURL, bodyARN := queue(t, c, "body", nil)
		subscribe(t, c, arn, "sqs", bodyARN, map[string]string{"FilterPolicyScope": "MessageBody", "FilterPolicy": `{"hello":[{"prefix":"<w"}]}`})
		offURL, offARN := queue(t, c, "off", nil)
		subscribe(t, c, arn, "sqs", offARN, map[string]string{"FilterPolicyScope": "MessageBody", "FilterPolicy": `{"hello":["other"]}`})

		_, err := c.sns.Subscribe(bg, &sns.SubscribeInput{TopicArn: &arn, Protocol: aws.String("sqs"), Endpoint: &redARN,
			Attributes: map[string]string{"FilterPolicy": `{"color":"red"}`}})
		if code, msg := apiError(err); code != "InvalidParameter" || !strings.HasPrefix(msg, "Invalid parameter: FilterPolicy: ") {
			t.Errorf("Subscribe(bad filter policy) = %s %q", code, msg)
		}

		out, err := c.sns.Publish(bg, &sns.PublishInput{TopicArn: &arn, Message: aws.String(`{"hello":"<world>"}`), Subject: aws.String("greeting"),
			MessageAttributes: map[string]snstypes.MessageAttributeValue{"color": {DataType: aws.String("String"), StringValue: aws.String("red")}}})
		if err != nil {
			t.Fatal(err)
		}
		got := receive(t, c, redURL, 5)
		if len(got) != 1 {
			t.Fatalf("red queue got %d messages; want 1\n%s", len(got), c.srv.Logs.String())
		}
		var env map[string]any
		if err := json.Unmarshal([]byte(*got[0].Body), &env); err != nil {
			t.Fatalf("envelope %s: %v", *got[0].Body, err)
		}
		if env["Type"] != "Notification" || env["MessageId"] != *out.MessageId || env["TopicArn"] != arn || env["Subject"] != "greeting" ||
			env["Message"] != `{"hello":"<world>"}` || env["SignatureVersion"] != "1" || env["UnsubscribeURL"] == nil {
			t.Errorf("envelope = %v", env)
		}
		if a, _ := env["MessageAttributes"].(map[string]any)["color"].(map[string]any); a["Type"] != "String" || a["Value"] != "red" {
			t.Errorf("envelope MessageAttributes = %v", env["MessageAttributes"])
		}
		if !strings.Contains(*got[0].Body, `"Message":"{\"hello\":\"<world>\"}"`) {
			t.Errorf("envelope escapes HTML or reorders: %s", *got[0].Body)
		}
		if err := verify(env); err != nil {
			t.Errorf("signature: %v", err)
		}
		raw := receive(t, c, rawURL, 5)
		if len(raw) != 1 || *raw[0].Body != `{"hello":"<world>"}` || *raw[0].MessageAttributes["color"].StringValue != "red" {
			t.Errorf("raw queue got %+v", raw)
		}
		if body := receive(t, c, bodyURL, 5); len(body) != 1 {
			t.Errorf("body-scope queue got %d messages; want 1", len(body))
		}
		if off := receive(t, c, offURL, 0); len(off) != 0 {
			t.Errorf("non-matching body-scope queue got %d messages; want none", len(off))
		}
		if blue := receive(t, c, blueURL, 0); len(blue) != 0 {
			t.Errorf("blue queue got %d messages; want none", len(blue))
		}
	})
}

func TestMessageStructureAndBatch(t *testing.T) {
	each(t, func(t *testing.T, c clients) {
		arn := topic(t, c, "batch", nil)
		url, qarn := queue(t, c, "q", nil)
		subscribe(t, c, arn, "sqs", qarn, map[string]string{"RawMessageDelivery": "true"})
		if _, err := c.sns.Publish(bg, &sns.PublishInput{TopicArn: &arn, MessageStructure: aws.String("json"),
			Message: aws.String(`{"default":"d","sqs":"for sqs","http":"for http"}`)}); err != nil {
			t.Fatal(err)
		}
		_, err := c.sns.Publish(bg, &sns.PublishInput{TopicArn: &arn, MessageStructure: aws.String("json"), Message: aws.String(`{"sqs":"x"}`)})
		if code, msg := apiError(err); code != "InvalidParameter" || msg != "Invalid parameter: Message Structure - No default entry in JSON message body" {
			t.Errorf("Publish(no default) = %s %q", code, msg)
		}
		_, err = c.sns.Publish(bg, &sns.PublishInput{TopicArn: &arn, Message: aws.String(strings.Repeat("x", 262145))})
		if code, msg := apiError(err); code != "InvalidParameter" || msg != "Invalid parameter: Message too long" {
			t.Errorf("Publish(too long) = %s %q", code, msg)
		}
		b, err := c.sns.PublishBatch(bg, &sns.PublishBatchInput{TopicArn: &arn, PublishBatchRequestEntries: []snstypes.PublishBatchRequestEntry{
			{Id: aws.String("a"), Message: aws.String("one")}, {Id: aws.String("b"), Message: aws.String("")}, {Id: aws.String("c"), Message: aws.String("two")}}})
		if err != nil || len(b.Successful) != 2 || len(b.Failed) != 1 || *b.Failed[0].Id != "b" || *b.Failed[0].Code != "InvalidParameter" {
			t.Fatalf("PublishBatch = %+v, %v", b, err)
		}
		_, err = c.sns.PublishBatch(bg, &sns.PublishBatchInput{TopicArn: &arn, PublishBatchRequestEntries: []snstypes.PublishBatchRequestEntry{
			{Id: aws.String("a"), Message: aws.String("one")}, {Id: aws.String("a"), Message: aws.String("two")}}})
		var dup *snstypes.BatchEntryIdsNotDistinctException
		if !errors.As(err, &dup) {
			t.Errorf("PublishBatch(same ids) = %v", err)
		}
		bodies := map[string]bool{}
		for i := 0; i < 10 && len(bodies) < 3; i++ {
			for _, m := range receive(t, c, url, 2) {
				bodies[*m.Body] = true
			}
		}
		if !bodies["for sqs"] || !bodies["one"] || !bodies["two"] || len(bodies) != 3 {
			t.Errorf("queue got %v", bodies)
		}
	})
}

func TestFIFOTopicToFIFOQueue(t *testing.T) {
	each(t, func(t *testing.T, c clients) {
		arn := topic(t, c, "orders.fifo", map[string]string{"FifoTopic": "true", "ContentBasedDeduplication": "true"})
		url, qarn := queue(t, c, "orders.fifo", map[string]string{"FifoQueue": "true"})
		_, stdARN := queue(t, c, "plain", nil)
		subscribe(t, c, arn, "sqs", qarn, nil)
		std := topic(t, c, "std", nil)
		_, err := c.sns.Subscribe(bg, &sns.SubscribeInput{TopicArn: &std, Protocol: aws.String("sqs"), Endpoint: &qarn})
		if code, _ := apiError(err); code != "InvalidParameter" {
			t.Errorf("Subscribe(FIFO queue to standard topic) = %v", err)
		}
		_ = stdARN
		_, err = c.sns.Publish(bg, &sns.PublishInput{TopicArn: &arn, Message: aws.String("m")})
		if code, msg := apiError(err); code != "InvalidParameter" || msg != "Invalid parameter: The MessageGroupId parameter is required for FIFO topics" {
			t.Errorf("Publish(no group) = %s %q", code, msg)
		}
		first, err := c.sns.Publish(bg, &sns.PublishInput{TopicArn: &arn, Message: aws.String("Test"), MessageGroupId: aws.String("g1")})
		if err != nil || first.SequenceNumber == nil {
			t.Fatalf("Publish = %+v, %v", first, err)
		}
		dup, err := c.sns.Publish(bg, &sns.PublishInput{TopicArn: &arn, Message: aws.String("Test"), MessageGroupId: aws.String("g1")})
		if err != nil || *dup.MessageId != *first.MessageId {
			t.Errorf("Publish(duplicate) = %+v, %v; want the first message id", dup, err)
		}
		second, err := c.sns.Publish(bg, &sns.PublishInput{TopicArn: &arn, Message: aws.String("Other"), MessageGroupId: aws.String("g1")})
		if err != nil || *second.SequenceNumber <= *first.SequenceNumber {
			t.Fatalf("Publish(second) = %+v, %v", second, err)
		}
		var got []sqstypes.Message
		for i := 0; i < 10 && len(got) < 2; i++ {
			ms := receive(t, c, url, 2)
			for _, m := range ms {
				c.sqs.DeleteMessage(bg, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: m.ReceiptHandle})
			}
			got = append(got, ms...)
		}
		if len(got) != 2 {
			t.Fatalf("FIFO queue got %d messages; want 2", len(got))
		}
		var env map[string]any
		json.Unmarshal([]byte(*got[0].Body), &env)
		if env["Message"] != "Test" || env["SequenceNumber"] == nil || env["Signature"] != nil {
			t.Errorf("FIFO envelope = %v", env)
		}
		if got[0].Attributes["MessageGroupId"] != "g1" || got[0].Attributes["MessageDeduplicationId"] != "532eaabd9574880dbf76b9b8cc00832c20a6ec113d682299550d7a6e0f345e25" {
			t.Errorf("FIFO attributes = %v", got[0].Attributes)
		}
	})
}

// certHost is the host pattern the test's validator accepts: gureum's, where AWS's validators
// would accept sns.<region>.amazonaws.com.
var certHost = regexp.MustCompile(`^127\.0\.0\.1:[0-9]+$`)

// verify checks an SNS message's signature as SNS message validators do: the certificate from
// SigningCertURL, the fields in AWS's order, SHA1withRSA or SHA256withRSA.
func verify(env map[string]any) error {
	field := func(k string) (string, bool) {
		v, ok := env[k].(string)
		return v, ok
	}
	certURL, _ := field("SigningCertURL")
	u, err := url.Parse(certURL)
	// The validators' host check (aws-php-sns-message-validator's $hostNamePattern, sns-validator's
	// hostRegex), configured for gureum's host.
	if err != nil || !certHost.MatchString(u.Host) || !strings.HasSuffix(u.Path, ".pem") {
		return fmt.Errorf("SigningCertURL %q", certURL)
	}
	resp, err := http.Get(certURL)
	if err != nil {
		return err
	}
	pemBytes, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		return fmt.Errorf("no PEM at %s (%d)", certURL, resp.StatusCode)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return err
	}
	keys := []string{"Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"}
	if typ, _ := field("Type"); typ != "Notification" {
		keys = []string{"Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"}
	}
	var b strings.Builder
	for _, k := range keys {
		if v, ok := field(k); ok {
			b.WriteString(k + "\n" + v + "\n")
		}
	}
	sig, err := base64.StdEncoding.DecodeString(fmt.Sprint(env["Signature"]))
	if err != nil {
		return err
	}
	pub := cert.PublicKey.(*rsa.PublicKey)
	if v, _ := field("SignatureVersion"); v == "2" {
		sum := sha256.Sum256([]byte(b.String()))
		return rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig)
	}
	sum := sha1.Sum([]byte(b.String()))
	return rsa.VerifyPKCS1v15(pub, crypto.SHA1, sum[:], sig)
}

// endpoint is an HTTP subscriber recording what SNS posts.
type endpoint struct {
	*httptest.Server
	got chan posted
}

type posted struct {
	header http.Header
	body   map[string]any
}

func newEndpoint(t *testing.T) *endpoint {
	e := &endpoint{got: make(chan posted, 16)}
	e.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		json.NewDecoder(r.Body).Decode(&body)
		e.got <- posted{r.Header.Clone(), body}
	}))
	t.Cleanup(e.Close)
	return e
}

func (e *endpoint) next(t *testing.T) posted {
	t.Helper()
	select {
	case p := <-e.got:
		return p
	case <-time.After(10 * time.Second):
		t.Fatal("the endpoint got nothing")
	}
	return posted{}
}

func TestHTTPSubscriberConfirmsAndVerifies(t *testing.T) {
	each(t, func(t *testing.T, c clients) {
		for _, version := range []string{"1", "2"} {
			arn := topic(t, c, "web"+version, map[string]string{"SignatureVersion": version})
			ep := newEndpoint(t)
			out, err := c.sns.Subscribe(bg, &sns.SubscribeInput{TopicArn: &arn, Protocol: aws.String("http"), Endpoint: aws.String(ep.URL + "/hook")})
			if err != nil || *out.SubscriptionArn != "pending confirmation" {
				t.Fatalf("Subscribe(http) = %+v, %v", out, err)
			}
			conf := ep.next(t)
			if conf.header.Get("x-amz-sns-message-type") != "SubscriptionConfirmation" || conf.header.Get("x-amz-sns-topic-arn") != arn ||
				conf.body["Token"] == nil || conf.body["SignatureVersion"] != version {
				t.Fatalf("confirmation = %v %v", conf.header, conf.body)
			}
			if err := verify(conf.body); err != nil {
				t.Errorf("confirmation signature v%s: %v", version, err)
			}
			resp, err := http.Get(conf.body["SubscribeURL"].(string))
			if err != nil {
				t.Fatal(err)
			}
			xmlBody, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !strings.Contains(string(xmlBody), "<SubscriptionArn>"+arn+":") {
				t.Fatalf("SubscribeURL answered %d %s", resp.StatusCode, xmlBody)
			}
			pub, err := c.sns.Publish(bg, &sns.PublishInput{TopicArn: &arn, Message: aws.String("hello"), Subject: aws.String("s")})
			if err != nil {
				t.Fatal(err)
			}
			n := ep.next(t)
			if n.header.Get("x-amz-sns-message-type") != "Notification" || n.header.Get("x-amz-sns-message-id") != *pub.MessageId ||
				!strings.HasPrefix(n.header.Get("x-amz-sns-subscription-arn"), arn+":") || n.body["Message"] != "hello" {
				t.Fatalf("notification = %v %v", n.header, n.body)
			}
			if err := verify(n.body); err != nil {
				t.Errorf("notification signature v%s: %v", version, err)
			}
			resp, err = http.Get(n.body["UnsubscribeURL"].(string))
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("UnsubscribeURL: %v %v", resp, err)
			}
			resp.Body.Close()
			subs, err := c.sns.ListSubscriptionsByTopic(bg, &sns.ListSubscriptionsByTopicInput{TopicArn: &arn})
			if err != nil || len(subs.Subscriptions) != 0 {
				t.Errorf("after UnsubscribeURL: %+v, %v", subs, err)
			}
		}
	})
}

func TestSubscriptionAttributes(t *testing.T) {
	each(t, func(t *testing.T, c clients) {
		arn := topic(t, c, "attrs", nil)
		_, qarn := queue(t, c, "q", nil)
		sub := subscribe(t, c, arn, "sqs", qarn, nil)
		set := func(name, value string) error {
			_, err := c.sns.SetSubscriptionAttributes(bg, &sns.SetSubscriptionAttributesInput{SubscriptionArn: &sub, AttributeName: &name, AttributeValue: &value})
			return err
		}
		for _, kv := range [][2]string{{"RawMessageDelivery", "true"}, {"FilterPolicyScope", "MessageBody"}, {"FilterPolicy", `{"a":{"b":[1]}}`},
			{"RedrivePolicy", `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq"}`}} {
			if err := set(kv[0], kv[1]); err != nil {
				t.Fatalf("SetSubscriptionAttributes(%s): %v", kv[0], err)
			}
		}
		if code, msg := apiError(set("RawMessageDelivery", "maybe")); code != "InvalidParameter" || !strings.HasPrefix(msg, "Invalid parameter: RawMessageDelivery") {
			t.Errorf("SetSubscriptionAttributes(bad raw) = %s %q", code, msg)
		}
		got, err := c.sns.GetSubscriptionAttributes(bg, &sns.GetSubscriptionAttributesInput{SubscriptionArn: &sub})
		a := got.Attributes
		if err != nil || a["RawMessageDelivery"] != "true" || a["FilterPolicyScope"] != "MessageBody" || a["Protocol"] != "sqs" ||
			a["Endpoint"] != qarn || a["TopicArn"] != arn || a["PendingConfirmation"] != "false" {
			t.Errorf("GetSubscriptionAttributes = %v, %v", a, err)
		}
		list, err := c.sns.ListSubscriptions(bg, &sns.ListSubscriptionsInput{})
		if err != nil || len(list.Subscriptions) != 1 || *list.Subscriptions[0].SubscriptionArn != sub {
			t.Errorf("ListSubscriptions = %+v, %v", list, err)
		}
		if _, err := c.sns.Unsubscribe(bg, &sns.UnsubscribeInput{SubscriptionArn: &sub}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.sns.Unsubscribe(bg, &sns.UnsubscribeInput{SubscriptionArn: &sub}); err != nil {
			t.Errorf("Unsubscribe(again) = %v; want success", err)
		}
		_, err = c.sns.GetSubscriptionAttributes(bg, &sns.GetSubscriptionAttributesInput{SubscriptionArn: &sub})
		if code, _ := apiError(err); code != "NotFound" {
			t.Errorf("GetSubscriptionAttributes(deleted) = %v", err)
		}
		_, err = c.sns.ConfirmSubscription(bg, &sns.ConfirmSubscriptionInput{TopicArn: &arn, Token: aws.String("nope")})
		if code, msg := apiError(err); code != "InvalidParameter" || msg != "Invalid parameter: Token" {
			t.Errorf("ConfirmSubscription(bad token) = %s %q", code, msg)
		}
	})
}

func TestPublishErrors(t *testing.T) {
	each(t, func(t *testing.T, c clients) {
		arn := topic(t, c, "errs", nil)
		missing := "arn:aws:sns:us-east-1:000000000000:missing"
		cases := []struct {
			name      string
			in        *sns.PublishInput
			code, msg string
		}{
			{"missing topic", &sns.PublishInput{TopicArn: &missing, Message: aws.String("m")}, "NotFound", "Topic does not exist"},
			{"bad topic ARN", &sns.PublishInput{TopicArn: aws.String("nope"), Message: aws.String("m")}, "InvalidParameter", "Invalid parameter: TopicArn"},
			{"empty message", &sns.PublishInput{TopicArn: &arn, Message: aws.String("")}, "InvalidParameter", "Invalid parameter: Empty message"},
			{"long subject", &sns.PublishInput{TopicArn: &arn, Message: aws.String("m"), Subject: aws.String(strings.Repeat("s", 100))}, "InvalidParameter", "Invalid parameter: Subject"},
			{"dedup id on a standard topic", &sns.PublishInput{TopicArn: &arn, Message: aws.String("m"), MessageDeduplicationId: aws.String("d")},
				"InvalidParameter", "Invalid parameter: MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type"},
			{"bad attribute type", &sns.PublishInput{TopicArn: &arn, Message: aws.String("m"), MessageAttributes: map[string]snstypes.MessageAttributeValue{
				"a": {DataType: aws.String("Float"), StringValue: aws.String("1")}}}, "ParameterValueInvalid",
				"The message attribute 'a' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String."},
			{"bad number", &sns.PublishInput{TopicArn: &arn, Message: aws.String("m"), MessageAttributes: map[string]snstypes.MessageAttributeValue{
				"n": {DataType: aws.String("Number"), StringValue: aws.String("one")}}}, "ParameterValueInvalid", "Could not cast message attribute 'n' value to number."},
		}
		for _, tc := range cases {
			_, err := c.sns.Publish(bg, tc.in)
			if code, msg := apiError(err); code != tc.code || msg != tc.msg {
				t.Errorf("Publish(%s) = %s %q; want %s %q", tc.name, code, msg, tc.code, tc.msg)
			}
		}
		_, err := c.sns.Subscribe(bg, &sns.SubscribeInput{TopicArn: &arn, Protocol: aws.String("carrier-pigeon"), Endpoint: aws.String("x")})
		if code, msg := apiError(err); code != "InvalidParameter" || msg != "Invalid parameter: Amazon SNS does not support this protocol string: carrier-pigeon" {
			t.Errorf("Subscribe(bad protocol) = %s %q", code, msg)
		}
		_, err = c.sns.Subscribe(bg, &sns.SubscribeInput{TopicArn: &arn, Protocol: aws.String("https"), Endpoint: aws.String("http://x")})
		if code, msg := apiError(err); code != "InvalidParameter" || msg != "Invalid parameter: Endpoint must match the specified protocol" {
			t.Errorf("Subscribe(https to http://) = %s %q", code, msg)
		}
	})
}

// TestSigningKeyOutlivesRestart: the certificate URL (and so the key) is the same after a
// restart, so validators that cache certificates by URL keep verifying.
func TestSigningKeyOutlivesRestart(t *testing.T) {
	certURL := func(srv *gureumtest.Server) string {
		c := clients{sns.NewFromConfig(srv.Config()), sqs.NewFromConfig(srv.Config()), srv}
		arn := topic(t, c, "t", nil)
		url, qarn := queue(t, c, "q", nil)
		subscribe(t, c, arn, "sqs", qarn, nil)
		if _, err := c.sns.Publish(bg, &sns.PublishInput{TopicArn: &arn, Message: aws.String("m")}); err != nil {
			t.Fatal(err)
		}
		for range 10 {
			for _, m := range receive(t, c, url, 2) {
				c.sqs.DeleteMessage(bg, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: m.ReceiptHandle})
				var env map[string]any
				json.Unmarshal([]byte(*m.Body), &env)
				if err := verify(env); err != nil {
					t.Errorf("signature: %v", err)
				}
				u, _ := url2path(env["SigningCertURL"].(string))
				return u
			}
		}
		t.Fatal("no message")
		return ""
	}
	srv := gureumtest.Start(t, gureumtest.Options{Args: []string{"--log-level", "warn"}})
	first := certURL(srv)
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	srv = gureumtest.Start(t, gureumtest.Options{DataDir: srv.DataDir, Args: []string{"--log-level", "warn"}})
	if again := certURL(srv); again != first {
		t.Errorf("certificate path after restart = %s; want %s", again, first)
	}
}

// url2path is a URL's path (the port changes across restarts).
func url2path(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	return u.Path, nil
}
