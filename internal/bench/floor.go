package bench

import (
	"bufio"
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// Floor starts a bare net/http server on loopback that answers every request with a fixed
// GetCallerIdentity document: the machine's floor for one HTTP request, without SigV4, routing or
// storage. It returns the endpoint and a stop function.
func Floor() (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	body := []byte(`<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::000000000000:root</Arn></GetCallerIdentityResult></GetCallerIdentityResponse>`)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/xml")
		w.Write(body)
	})}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), func() { srv.Close() }, nil
}

// FsyncFloor measures how many 1 KiB append+fsync cycles one writer completes per second in dir:
// the floor under any durable single-writer commit.
func FsyncFloor(dir string, d time.Duration) (float64, error) {
	f, err := os.CreateTemp(dir, "fsync-floor")
	if err != nil {
		return 0, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	buf := make([]byte, 1024)
	n := 0
	start := time.Now()
	for time.Since(start) < d {
		if _, err := f.Write(buf); err != nil {
			return 0, err
		}
		if err := f.Sync(); err != nil {
			return 0, err
		}
		n++
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// ProcessCPU is the CPU time (user and system) a process has used so far, read from /proc on
// Linux; ok is false elsewhere.
func ProcessCPU(pid int) (d time.Duration, ok bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	// Fields after the command name, which is in parentheses and may hold spaces.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, false
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	const hz = 100 // USER_HZ, fixed at 100 on Linux
	return time.Duration(utime+stime) * time.Second / hz, true
}

// Moto starts moto_server (the Python AWS emulator, a peer) on a free port and returns its
// endpoint and a stop function, or an error when it is not installed.
func Moto(ctx context.Context) (string, func(), error) {
	path, err := exec.LookPath("moto_server")
	if err != nil {
		return "", nil, err
	}
	port, err := freePort()
	if err != nil {
		return "", nil, err
	}
	cmd := exec.CommandContext(ctx, path, "-p", strconv.Itoa(port))
	cmd.Dir = os.TempDir()
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop := func() { cmd.Process.Kill(); cmd.Wait() }
	endpoint := "http://127.0.0.1:" + strconv.Itoa(port)
	for start := time.Now(); time.Since(start) < 30*time.Second; time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get(endpoint + "/moto-api/"); err == nil {
			resp.Body.Close()
			return endpoint, stop, nil
		}
	}
	stop()
	return "", nil, os.ErrDeadlineExceeded
}

// SQSFloor starts a bare net/http server on loopback that answers the SQS workloads' calls
// (CreateQueue, SendMessage, SendMessageBatch, ReceiveMessage, DeleteMessageBatch, in AWS JSON 1.0)
// with fixed documents: the machine's floor for those calls from the same aws-sdk-go-v2 client,
// without SigV4, decoding, storage or fsync. The answers carry the MD5 digests the client checks,
// computed once for the workloads' bodies. It returns the endpoint and a stop function.
func SQSFloor() (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	endpoint := "http://" + ln.Addr().String()
	answers := sqsFloorAnswers(endpoint + "/000000000000/floor")
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		body, ok := answers[strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "AmazonSQS.")]
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		if !ok {
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"__type":"com.amazonaws.sqs#UnsupportedOperation","message":"not in the floor"}`))
			return
		}
		w.Write(body)
	})}
	go srv.Serve(ln)
	return endpoint, func() { srv.Close() }, nil
}

// sqsFloorAnswers builds the floor's fixed answers, by operation. Batches answer for entries "0"
// to "9", the ids the workloads use.
func sqsFloorAnswers(queueURL string) map[string][]byte {
	digest := func(s string) string { sum := md5.Sum([]byte(s)); return hex.EncodeToString(sum[:]) }
	type entry struct {
		ID               string `json:"Id"`
		MessageID        string `json:"MessageId,omitempty"`
		MD5OfMessageBody string `json:",omitempty"`
	}
	type message struct {
		MessageID     string `json:"MessageId"`
		ReceiptHandle string
		MD5OfBody     string
		Body          string
	}
	var sent, deleted []entry
	var received []message
	for i := range 10 {
		id, mid := strconv.Itoa(i), fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
		sent = append(sent, entry{ID: id, MessageID: mid, MD5OfMessageBody: digest(batchedBody)})
		deleted = append(deleted, entry{ID: id})
		received = append(received, message{MessageID: mid, ReceiptHandle: "floor-" + id, MD5OfBody: digest(batchedBody), Body: batchedBody})
	}
	doc := func(v any) []byte { b, _ := json.Marshal(v); return b }
	return map[string][]byte{
		"CreateQueue":        doc(map[string]string{"QueueUrl": queueURL}),
		"SendMessage":        doc(map[string]string{"MessageId": "00000000-0000-4000-8000-000000000000", "MD5OfMessageBody": digest(singleBody)}),
		"SendMessageBatch":   doc(map[string][]entry{"Successful": sent, "Failed": {}}),
		"ReceiveMessage":     doc(map[string][]message{"Messages": received}),
		"DeleteMessageBatch": doc(map[string][]entry{"Successful": deleted, "Failed": {}}),
	}
}

// MachineCPU is the machine's CPU time so far, from /proc/stat on Linux: all of it and the part a
// hypervisor gave to other guests (steal). ok is false elsewhere.
func MachineCPU() (total, steal int64, ok bool) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0, false
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0, 0, false
	}
	for i, v := range f[1:] {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, 0, false
		}
		if i < 8 { // user nice system idle iowait irq softirq steal; guest time is counted in user
			total += n
		}
		if i == 7 {
			steal = n
		}
	}
	return total, steal, true
}

// StolenShare is the share of the machine's CPU time a hypervisor gave to other guests between two
// MachineCPU readings: while it is more than a few percent, every figure of the run is low.
func StolenShare(total0, steal0, total1, steal1 int64) float64 {
	if total1 <= total0 {
		return 0
	}
	return float64(steal1-steal0) / float64(total1-total0)
}

// WakeFloor measures, for d, the round trip of one byte through two pipes between this goroutine
// and one that keeps its own thread: two wake-ups of a blocked thread, the step a request takes
// at least twice (the server's read, the client's). On a virtual machine a wake-up that finds its
// vCPU halted costs the hypervisor's work too, and that cost drifts with the host's load: the run
// records it beside its figures, as one measure of the machine's state while they were taken.
func WakeFloor(d time.Duration) (time.Duration, error) {
	pr, pw, err := os.Pipe()
	if err != nil {
		return 0, err
	}
	qr, qw, err := os.Pipe()
	if err != nil {
		pr.Close()
		pw.Close()
		return 0, err
	}
	defer qr.Close()
	echoed := make(chan struct{})
	go func() {
		defer close(echoed)
		defer qw.Close()
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		b := make([]byte, 1)
		for {
			if _, err := pr.Read(b); err != nil {
				pr.Close()
				return
			}
			if _, err := qw.Write(b); err != nil {
				pr.Close()
				return
			}
		}
	}()
	b := make([]byte, 1)
	n := 0
	start := time.Now()
	for time.Since(start) < d {
		if _, err = pw.Write(b); err != nil {
			break
		}
		if _, err = qr.Read(b); err != nil {
			break
		}
		n++
	}
	elapsed := time.Since(start)
	pw.Close()
	<-echoed
	if err != nil {
		return 0, err
	}
	return elapsed / time.Duration(max(n, 1)), nil
}

// ServeSQSFloor runs SQSFloor until ctx ends or in reaches its end, after writing its endpoint as
// one line to out: the floor in a process of its own (`gureum-bench sqs-floor`), as the servers it
// stands beside run. StartSQSFloor holds the other end of in, so the floor stops with the bench
// even when the bench is killed.
func ServeSQSFloor(ctx context.Context, in io.Reader, out io.Writer) error {
	endpoint, stop, err := SQSFloor()
	if err != nil {
		return err
	}
	defer stop()
	if _, err := fmt.Fprintln(out, endpoint); err != nil {
		return err
	}
	closed := make(chan struct{})
	go func() { io.Copy(io.Discard, in); close(closed) }()
	select {
	case <-ctx.Done():
	case <-closed:
	}
	return nil
}

// StartSQSFloor starts `bin sqs-floor` (bin: gureum-bench) and returns the process and the
// floor's endpoint. The caller stops the process.
func StartSQSFloor(ctx context.Context, bin string) (*exec.Cmd, string, error) {
	cmd := exec.CommandContext(ctx, bin, "sqs-floor")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, "", err
	}
	if _, err := cmd.StdinPipe(); err != nil { // held open until this process ends (ServeSQSFloor)
		return nil, "", err
	}
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		return nil, "", fmt.Errorf("the floor did not start: %w", err)
	}
	return cmd, strings.TrimSpace(line), nil
}
