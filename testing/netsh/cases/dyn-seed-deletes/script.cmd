netsh ipsec dynamic add mmpolicy name=MainModePolicy
netsh ipsec dynamic add qmpolicy name=QuickModePolicy
netsh ipsec dynamic add rule srcaddr=192.168.1.10 dstaddr=192.168.1.20 mmpolicy="MainModePolicy" qmpolicy="QuickModePolicy" protocol=TCP srcport=80 dstport=80 mirrored=no conntype=lan actioninbound=permit actionoutbound=permit
netsh ipsec dynamic delete qmpolicy name="QuickModePolicy"
netsh ipsec dynamic delete rule srcaddr=192.168.1.10 dstaddr=192.168.1.20 protocol=TCP srcport=80 dstport=80 conntype=lan
netsh ipsec dynamic delete qmpolicy name="QuickModePolicy"
netsh ipsec dynamic delete mmpolicy name=all
netsh ipsec dynamic delete all
