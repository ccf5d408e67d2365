module github.com/gureum/gureum

go 1.26.8
