package organizations_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"

	"github.com/gureum/gureum/internal/cli"
	"github.com/gureum/gureum/internal/gureumtest"
)

func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// TestAccounts: the first account's root creates an account through the CLI (`gureum account
// create --output json`), whose root credentials work on their own and own a separate namespace:
// each account has a queue named "orders", and neither root reaches the other's. The SDK sees
// the account in DescribeAccount and ListAccounts; only the management root may call them.
func TestAccounts(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{})
	ctx := context.Background()
	env := map[string]string{"AWS_ACCESS_KEY_ID": gureumtest.AccessKeyID, "AWS_SECRET_ACCESS_KEY": gureumtest.SecretAccessKey}
	var out bytes.Buffer
	err := cli.Run(ctx, []string{"account", "create", "--name", "partner", "--output", "json", "--endpoint", srv.Endpoint},
		func(k string) string { return env[k] }, &out, &out)
	if err != nil {
		t.Fatalf("gureum account create: %v (%s)", err, out.String())
	}
	var partner struct{ AccountId, AccessKeyId, SecretAccessKey string }
	if err := json.Unmarshal(out.Bytes(), &partner); err != nil || len(partner.AccountId) != 12 || !strings.HasPrefix(partner.AccessKeyId, "AKIA") {
		t.Fatalf("account create printed %q (%v)", out.String(), err)
	}

	org := organizations.NewFromConfig(srv.Config())
	got, err := org.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(partner.AccountId)})
	if err != nil || aws.ToString(got.Account.Name) != "partner" || got.Account.State != "ACTIVE" {
		t.Errorf("DescribeAccount = %+v, %v", got, err)
	}
	list, err := org.ListAccounts(ctx, &organizations.ListAccountsInput{})
	if err != nil || len(list.Accounts) != 2 {
		t.Errorf("ListAccounts = %+v, %v; want the two accounts", list, err)
	}
	if _, err := org.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String("123456789012")}); code(err) != "AccountNotFoundException" {
		t.Errorf("DescribeAccount(unknown) = %v; want AccountNotFoundException", err)
	}
	partnerCfg := gureumtest.ConfigFor(srv.Endpoint, partner.AccessKeyId, partner.SecretAccessKey, "")
	if _, err := organizations.NewFromConfig(partnerCfg).ListAccounts(ctx, &organizations.ListAccountsInput{}); code(err) != "AccessDeniedException" {
		t.Errorf("ListAccounts as the partner's root = %v; want AccessDeniedException", err)
	}

	mine, theirs := sqs.NewFromConfig(srv.Config()), sqs.NewFromConfig(partnerCfg)
	var urls []string
	for _, c := range []*sqs.Client{mine, theirs} {
		q, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("orders")})
		if err != nil {
			t.Fatal(err)
		}
		urls = append(urls, aws.ToString(q.QueueUrl))
	}
	if urls[0] == urls[1] || !strings.Contains(urls[1], partner.AccountId) {
		t.Errorf("queue URLs %q and %q: want one per account", urls[0], urls[1])
	}
	if _, err := theirs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(urls[0]), MessageBody: aws.String("x")}); code(err) != "AccessDenied" {
		t.Errorf("the partner's root sending to the first account's queue = %v; want AccessDenied", err)
	}
	if _, err := mine.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: aws.String(urls[1])}); code(err) != "AccessDenied" {
		t.Errorf("the first root purging the partner's queue = %v; want AccessDenied", err)
	}
}
