netsh interface portproxy add v4tov4 `
    listenport=8080 listenaddress=127.0.0.1 `
    connectport=80 connectaddress=10.8.8.8
netsh interface portproxy show all 2>$null | Out-Null
