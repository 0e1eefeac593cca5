netsh interface portproxy add v4tov4 listenport=9002 connectaddress=10.94.0.1
