package cloudformation_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"

	"github.com/gureum/gureum/internal/gureumtest"
)

// BenchmarkDeploy creates, updates (one queue attribute, in place) and deletes a stack of a
// queue, a topic and a subscription through the SDK, each call answering when the operation is
// done; it reports each step's mean time. Issue 27's budgets for examples/data-sharing, a much
// larger stack: create ≤ 3 s, a code-only update ≤ 1 s, delete ≤ 1 s.
func BenchmarkDeploy(b *testing.B) {
	srv := gureumtest.Start(b, gureumtest.Options{Args: []string{"--log-level", "warn"}})
	c := cloudformation.NewFromConfig(srv.Config())
	var create, update, del time.Duration
	for i := 0; i < b.N; i++ {
		name := fmt.Sprintf("bench%d", i)
		start := time.Now()
		if _, err := c.CreateStack(bg, &cloudformation.CreateStackInput{StackName: aws.String(name), TemplateBody: aws.String(messagingV1)}); err != nil {
			b.Fatal(err)
		}
		create += time.Since(start)
		start = time.Now()
		if _, err := c.UpdateStack(bg, &cloudformation.UpdateStackInput{StackName: aws.String(name),
			TemplateBody: aws.String(strings.Replace(messagingV1, "Default: 30", "Default: 40", 1))}); err != nil {
			b.Fatal(err)
		}
		update += time.Since(start)
		start = time.Now()
		if _, err := c.DeleteStack(bg, &cloudformation.DeleteStackInput{StackName: aws.String(name)}); err != nil {
			b.Fatal(err)
		}
		del += time.Since(start)
	}
	n := float64(b.N)
	b.ReportMetric(float64(create.Milliseconds())/n, "ms/create")
	b.ReportMetric(float64(update.Milliseconds())/n, "ms/update")
	b.ReportMetric(float64(del.Milliseconds())/n, "ms/delete")
}
