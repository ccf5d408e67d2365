package examples

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestOrderIntake deploys examples/order-intake: POST /order through the REST API's SQS
// integration, the queue, the function; an order for an unknown item fails once, lands in the
// DLQ (maxReceiveCount 1), and after the catalog is fixed StartMessageMoveTask redrives it.
func TestOrderIntake(t *testing.T) {
	needTools(t)
	t.Parallel()
	w := start(t, "order-intake")
	w.deploy()
	var got struct {
		Posts                  [][2]any         `json:"posts"`
		DeadLetters            []map[string]any `json:"dead_letters"`
		DeadLetterIDs          []string         `json:"dead_letter_ids"`
		SpecialItem            string           `json:"special_item"`
		DeadLetterSource       string           `json:"dead_letter_source"`
		ProcessedBeforeRedrive []string         `json:"processed_before_redrive"`
		MoveTaskHandle         bool             `json:"move_task_handle"`
		Moved                  int
		Processed              []string
		OrderO2                map[string]any `json:"order_o2"`
		DLQDepthAfter          int            `json:"dlq_depth_after"`
	}
	w.drive(&got)
	for i, p := range got.Posts {
		body, _ := p[1].(map[string]any)
		if p[0] != float64(200) || body["orderAccepted"] != true || body["messageId"] == "" {
			t.Errorf("POST /order #%d = %v; want 200 with the message id", i+1, p)
		}
	}
	if len(got.DeadLetters) != 1 || !cmp.Equal(got.DeadLetterIDs, []string{"o-2"}) {
		t.Errorf("DLQ held %v; want only order o-2", got.DeadLetters)
	}
	if got.DeadLetterSource == "" {
		t.Errorf("the dead letter has no DeadLetterQueueSourceArn")
	}
	if diff := cmp.Diff([]string{"o-1", "o-3"}, got.ProcessedBeforeRedrive); diff != "" {
		t.Errorf("orders processed before the redrive (-want +got):\n%s", diff)
	}
	if !got.MoveTaskHandle || got.Moved != 1 {
		t.Errorf("StartMessageMoveTask: handle %v, moved %d; want a handle and 1 moved", got.MoveTaskHandle, got.Moved)
	}
	if diff := cmp.Diff([]string{"o-1", "o-2", "o-3"}, got.Processed); diff != "" {
		t.Errorf("orders processed after the redrive (-want +got):\n%s", diff)
	}
	if got.OrderO2["status"] != "accepted" || got.OrderO2["item"] != got.SpecialItem {
		t.Errorf("order o-2 = %v", got.OrderO2)
	}
	if got.DLQDepthAfter != 0 {
		t.Errorf("DLQ depth after the redrive = %d; want 0", got.DLQDepthAfter)
	}
}
