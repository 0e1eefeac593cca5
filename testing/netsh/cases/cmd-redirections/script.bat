@echo off
netsh ipsec static add policy name=JDDropPort assign=no > nul
netsh ipsec static add filterlist name=L >nul
netsh ipsec static add filteraction name=Block action=block 2> nul
netsh ipsec static add filter filterlist=L srcaddr=any dstaddr=me protocol=tcp dstport=445 2>&1
netsh ipsec static add filter filterlist=L srcaddr=any dstaddr=me protocol=tcp dstport=139 >> setup.log 2>&1
netsh ipsec static add filter filterlist=L srcaddr=any dstaddr=me protocol=udp dstport=137 1>nul
netsh ipsec static add filter filterlist=L srcaddr=any dstaddr=me protocol=udp dstport=138 < answers.txt
netsh ipsec static add rule name=R policy=JDDropPort filterlist=L filteraction=Block>nul
netsh ipsec static set policy name=JDDropPort assign=y > nul
